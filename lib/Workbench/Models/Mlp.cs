using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbench.Models;

/// <summary>
/// The transformer's position-wise feed-forward network: Linear → GELU → Linear, widening by
/// <c>ratio</c> in between (4 in "Attention Is All You Need" and CLIP).
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    readonly Linear expand;
    readonly GELU activation;
    readonly Linear project;

    /// <summary>Creates the network.</summary>
    /// <param name="width">Input and output width.</param>
    /// <param name="ratio">Hidden width as a multiple of <paramref name="width"/>.</param>
    public Mlp(int width, int ratio = 4) : base(nameof(Mlp))
    {
        expand = nn.Linear(width, width * ratio);
        activation = nn.GELU();
        project = nn.Linear(width * ratio, width);
        RegisterComponents();
    }

    /// <summary>Applies the network to the last dimension of <paramref name="x"/>.</summary>
    public override Tensor forward(Tensor x)
    {
        using var hidden = activation.forward(expand.forward(x));
        return project.forward(hidden);
    }
}
