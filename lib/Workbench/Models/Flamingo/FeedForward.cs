using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbench.Models.Flamingo;

/// <summary>
/// Flamingo's pre-normalised feed-forward layer, <c>mlp(norm(x))</c> (its caller adds the residual): the shared
/// <see cref="Mlp"/> behind a LayerNorm, used in the Perceiver resampler and in the gated cross-attention blocks.
/// </summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    readonly LayerNorm norm;
    readonly Mlp mlp;

    /// <summary>Creates the layer.</summary>
    /// <param name="width">Input and output width.</param>
    /// <param name="ratio">Hidden width as a multiple of <paramref name="width"/> (4 in Flamingo).</param>
    public FeedForward(int width, int ratio = 4) : base(nameof(FeedForward))
    {
        norm = nn.LayerNorm(width);
        mlp = new Mlp(width, ratio, Activation.Gelu);
        RegisterComponents();
    }

    /// <summary><c>mlp(norm(x))</c>, without the residual.</summary>
    public override Tensor forward(Tensor x)
    {
        using var normed = norm.forward(x);
        return mlp.forward(normed);
    }
}
