using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Workbench.Runtime;

namespace Workbench.Models;

/// <summary>
/// A pre-norm transformer block, as in GPT-2 and CLIP: <c>x + attn(ln_1(x))</c>, then <c>x + mlp(ln_2(x))</c>.
/// Normalising before each sub-layer (not after, as in the original paper) keeps deep stacks trainable without warm-up
/// tricks. Parameter names (<c>ln_1</c>, <c>attn.in_proj_weight</c>, <c>ln_2</c>, <c>mlp.c_fc</c>) are GPT-2's and OpenCLIP's.
/// </summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
    readonly LayerNorm ln_1;
    readonly MultiHeadAttention attn;
    readonly LayerNorm ln_2;
    readonly Mlp mlp;
    readonly CanonLayer? canon;

    /// <summary>Creates the block.</summary>
    /// <param name="width">Feature width W.</param>
    /// <param name="heads">Attention heads; must divide <paramref name="width"/>.</param>
    /// <param name="mlpRatio">Hidden width of the MLP as a multiple of <paramref name="width"/>.</param>
    /// <param name="activation">The MLP's non-linearity.</param>
    /// <param name="layerNormEps">LayerNorm's epsilon (1e-5 in GPT-2 and CLIP).</param>
    /// <param name="canonKernel">With K &gt; 0, a <see cref="CanonLayer"/> of kernel K before the attention; 0: none (GPT-2).</param>
    public TransformerBlock(int width, int heads, int mlpRatio = 4, Activation activation = Activation.Gelu, double layerNormEps = 1e-5,
        int canonKernel = 0)
        : base(nameof(TransformerBlock))
    {
        if (canonKernel > 0) canon = new CanonLayer(width, canonKernel);
        ln_1 = nn.LayerNorm(width, layerNormEps);
        attn = new MultiHeadAttention(width, heads);
        ln_2 = nn.LayerNorm(width, layerNormEps);
        mlp = new Mlp(width, mlpRatio, activation);
        RegisterComponents();
    }

    /// <summary>The block's self-attention layer.</summary>
    public MultiHeadAttention Attention => attn;

    /// <summary>Applies the block without an attention mask.</summary>
    public override Tensor forward(Tensor x) => forward(x, null);

    /// <summary>Applies the block.</summary>
    /// <param name="x">Sequence (B, T, W).</param>
    /// <param name="attentionMask">Attention mask (see <see cref="MultiHeadAttention.forward"/>), or null.</param>
    /// <param name="cache">This block's keys and values of earlier positions (generation), or null.</param>
    /// <param name="rotaryPositions">Positions (B, T) for rotary attention, or null (see <see cref="MultiHeadAttention.forward"/>).</param>
    /// <param name="realTokens">Which of these positions hold real tokens (B, T), bool, for the Canon layer; null: all.</param>
    /// <returns>(B, T, W).</returns>
    public Tensor forward(Tensor x, Tensor? attentionMask, KeyValueCache.Layer? cache = null, Tensor? rotaryPositions = null, Tensor? realTokens = null)
    {
        using var scope = NewDisposeScope();
        if (canon is not null) x = canon.forward(x, realTokens, cache);
        // Plus is +, with its alpha of 1 held for the process rather than made on the fly (HeldScalars).
        var afterAttention = x.Plus(attn.forward(ln_1.forward(x), mask: attentionMask, cache: cache, rotaryPositions: rotaryPositions));
        var afterMlp = afterAttention.Plus(mlp.forward(ln_2.forward(afterAttention)));
        return afterMlp.MoveToOuterDisposeScope();
    }
}
