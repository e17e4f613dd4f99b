using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Workbench.Runtime;

namespace Workbench.Models.Flamingo;

/// <summary>
/// Flamingo's GATED XATTN-DENSE layer (Alayrac et al. 2022, §2.2 and figure 4), inserted before a frozen language-model
/// block: text tokens cross-attend to visual tokens, then pass through a feed-forward layer, each result added to the
/// residual stream through a scalar gate <c>tanh(α)</c>:
/// <code>
/// x = x + tanh(attn_gate) · attn(norm(x), media, mask)
/// x = x + tanh(ff_gate)   · ff(x)
/// </code>
/// Both α start at 0, so at initialisation the block is the identity and the model is exactly the frozen language
/// model; training opens the gates as the visual signal becomes useful. The mask lets each token see only the visual
/// tokens of its most recent image; a token that no image precedes receives exactly zero from the cross-attention
/// (the attention's output projection has a bias, so its rows are zeroed here, not just given zero weights).
/// </summary>
public sealed class GatedCrossAttentionBlock : nn.Module
{
    readonly LayerNorm norm;
    readonly MultiHeadAttention attn;
    readonly Parameter attn_gate;
    readonly FeedForward ff;
    readonly Parameter ff_gate;

    /// <summary>Creates the block with both gates closed (α = 0).</summary>
    /// <param name="width">The language model's width; visual tokens must have it too (the resampler's output).</param>
    /// <param name="heads">Attention heads.</param>
    public GatedCrossAttentionBlock(int width, int heads) : base(nameof(GatedCrossAttentionBlock))
    {
        norm = nn.LayerNorm(width);
        attn = new MultiHeadAttention(width, heads);
        attn_gate = nn.Parameter(zeros(1));
        ff = new FeedForward(width);
        ff_gate = nn.Parameter(zeros(1));
        RegisterComponents();
    }

    /// <summary>The cross-attention layer (for attention maps).</summary>
    public MultiHeadAttention Attention => attn;

    /// <summary>tanh(α) of the cross-attention and of the feed-forward layer: how far each is open.</summary>
    public (double Attention, double FeedForward) Gates
    {
        get
        {
            var (a, f) = GateTensors();
            using (a)
            using (f)
                return (a.item<float>(), f.item<float>());
        }
    }

    /// <summary>tanh(α) of both gates as tensors on the model's device (no read-back to the host: the trainer logs them).</summary>
    public (Tensor Attention, Tensor FeedForward) GateTensors()
    {
        using var noGrad = no_grad();
        return (attn_gate.tanh(), ff_gate.tanh());
    }

    /// <summary>The gate parameters α (they may train at their own learning rate).</summary>
    public IEnumerable<Parameter> GateParameters => [attn_gate, ff_gate];

    /// <summary>The normalised queries the cross-attention reads (for attention maps).</summary>
    public Tensor Queries(Tensor x) => norm.forward(x);

    /// <summary>Applies the block.</summary>
    /// <param name="x">Text hidden states (B, T, W).</param>
    /// <param name="media">Visual tokens of every image of each row (B, M·K, W): image m's K tokens at m·K..m·K+K−1.</param>
    /// <param name="mask">(B, 1, T, M·K) bool: true where the token may attend to the visual token.</param>
    /// <param name="hasImage">(B, T, 1) float: 1 where some image precedes the token, 0 where none does.</param>
    public Tensor forward(Tensor x, Tensor media, Tensor mask, Tensor hasImage)
    {
        using var scope = NewDisposeScope();
        var attended = attn.forward(norm.forward(x), media, mask) * hasImage;
        x = x.Plus(attn_gate.tanh() * attended);
        x = x.Plus(ff_gate.tanh() * ff.forward(x));
        return x.MoveToOuterDisposeScope();
    }
}
