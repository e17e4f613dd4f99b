using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbench.Models;

/// <summary>
/// A pre-norm transformer block, as in GPT-2 and CLIP: <c>x + attn(ln1(x))</c>, then <c>x + mlp(ln2(x))</c>.
/// Normalising before each sub-layer (not after, as in the original paper) keeps deep stacks trainable without warm-up tricks.
/// </summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
    readonly LayerNorm ln1;
    readonly MultiHeadSelfAttention attn;
    readonly LayerNorm ln2;
    readonly Mlp mlp;

    /// <summary>Creates the block.</summary>
    /// <param name="width">Feature width W.</param>
    /// <param name="heads">Attention heads; must divide <paramref name="width"/>.</param>
    /// <param name="mlpRatio">Hidden width of the MLP as a multiple of <paramref name="width"/>.</param>
    public TransformerBlock(int width, int heads, int mlpRatio = 4) : base(nameof(TransformerBlock))
    {
        ln1 = nn.LayerNorm(width);
        attn = new MultiHeadSelfAttention(width, heads);
        ln2 = nn.LayerNorm(width);
        mlp = new Mlp(width, mlpRatio);
        RegisterComponents();
    }

    /// <summary>Applies the block without an attention mask.</summary>
    public override Tensor forward(Tensor x) => forward(x, null);

    /// <summary>Applies the block.</summary>
    /// <param name="x">Sequence (B, T, W).</param>
    /// <param name="attentionMask">Additive attention mask (see <see cref="MultiHeadSelfAttention.forward(Tensor, Tensor?)"/>), or null.</param>
    /// <returns>(B, T, W).</returns>
    public Tensor forward(Tensor x, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        var afterAttention = x + attn.forward(ln1.forward(x), attentionMask);
        var afterMlp = afterAttention + mlp.forward(ln2.forward(afterAttention));
        return afterMlp.MoveToOuterDisposeScope();
    }
}
