using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Workbench.Runtime;

namespace Workbench.Models;

/// <summary>
/// Multi-head attention over batch-first sequences: <c>softmax(q kᵀ / √d + mask) v</c> per head
/// ("Attention Is All You Need", Vaswani et al. 2017, §3.2). One module serves every attention in the workbench:
/// self-attention (CLIP's towers, the language model), the Perceiver resampler's latents reading image features, and
/// Flamingo's text reading image tokens, by taking the queries and the keys/values from separate sequences.
/// <para>
/// Parameters are named as PyTorch's <c>nn.MultiheadAttention</c> and OpenCLIP name them: one fused
/// <c>in_proj_weight</c> (3W, W) holding the query, key and value projections, <c>in_proj_bias</c>, and
/// <c>out_proj</c>. Written with plain matmuls: on this CPU they ran faster than <c>scaled_dot_product_attention</c>.
/// </para>
/// </summary>
public sealed class MultiHeadAttention : nn.Module, IHasWeightMatrices
{
    Parameter in_proj_weight;
    Parameter in_proj_bias;
    readonly Linear out_proj;

    /// <summary>Creates the layer.</summary>
    /// <param name="width">Feature width W of queries, keys and values; must be divisible by <paramref name="heads"/>.</param>
    /// <param name="heads">Number of attention heads.</param>
    public MultiHeadAttention(int width, int heads) : base(nameof(MultiHeadAttention))
    {
        if (heads <= 0 || width <= 0 || width % heads != 0)
            throw new ArgumentException($"Attention width {width} must be a positive multiple of the head count {heads}.");
        Width = width;
        Heads = heads;
        scoreDivisor = Math.Sqrt(HeadWidth).ToScalar();
        in_proj_weight = nn.Parameter(empty(3 * width, width));
        in_proj_bias = nn.Parameter(zeros(3 * width));
        out_proj = nn.Linear(width, width);
        // As three separate nn.Linear layers would start: weights and biases uniform in ±1/√W. (PyTorch's
        // nn.MultiheadAttention uses Xavier and zero biases; the Linear default trained CLIP faster here.)
        double bound = 1 / Math.Sqrt(width);
        using (no_grad())
        {
            nn.init.uniform_(in_proj_weight, -bound, bound);
            nn.init.uniform_(in_proj_bias, -bound, bound);
        }
        RegisterComponents();
    }

    /// <summary>Feature width W.</summary>
    public int Width { get; }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <summary>Width of one head, W / heads.</summary>
    public int HeadWidth => Width / Heads;

    /// <summary>The fused projection is a weight matrix (it decays like a linear layer's weight).</summary>
    public IEnumerable<string> WeightMatrixNames => [nameof(in_proj_weight)];

    /// <summary>The fused query/key/value projection (3W, W), for tests and checkpoint loaders.</summary>
    public Parameter InProjectionWeight => in_proj_weight;

    /// <summary>
    /// Attends <paramref name="queries"/> to <paramref name="context"/> (or to themselves when it is null).
    /// </summary>
    /// <param name="queries">(B, Tq, W).</param>
    /// <param name="context">Keys and values come from this (B, Tk, W); null: self-attention over <paramref name="queries"/>.</param>
    /// <param name="mask">
    /// Null: every query sees every key. A floating-point mask is added to the scores (−∞ forbids); a boolean mask is
    /// true where a query may see a key, and a query that may see no key at all gets exactly zero (not the NaN a row of
    /// −∞ would give), as Flamingo needs for text before the first image. Shape (Tq, Tk) or broadcastable to (B, heads, Tq, Tk).
    /// </param>
    /// <param name="cache">Self-attention only: keys and values of earlier positions, extended in place with these
    /// (generation one token at a time).</param>
    /// <param name="rotaryPositions">Self-attention only: each query's (and key's) position (B, Tq), int64, for
    /// <see cref="RotaryPositions"/>; null: no rotation (positions come from a learned table added to the input, or none).</param>
    /// <returns>(B, Tq, W).</returns>
    public Tensor forward(Tensor queries, Tensor? context = null, Tensor? mask = null, KeyValueCache.Layer? cache = null,
        Tensor? rotaryPositions = null)
    {
        if (context is not null && cache is not null)
            throw new ArgumentException("A key/value cache is for self-attention; cross-attention recomputes its keys from the context.");
        using var scope = NewDisposeScope();
        long batch = queries.shape[0], length = queries.shape[1];
        Tensor q, k, v;
        if (context is null)
        {
            var qkv = MixedPrecision.LinearInner(queries, in_proj_weight, in_proj_bias).chunk(3, -1);
            (q, k, v) = (qkv[0], qkv[1], qkv[2]);
        }
        else
        {
            var weights = in_proj_weight.split([Width, 2 * Width], 0);
            var biases = in_proj_bias.split([Width, 2 * Width], 0);
            q = MixedPrecision.LinearInner(queries, weights[0], biases[0]);
            var kv = MixedPrecision.LinearInner(context, weights[1], biases[1]).chunk(2, -1);
            (k, v) = (kv[0], kv[1]);
        }
        q = SplitHeads(q);                                      // (B, H, Tq, d)
        k = SplitHeads(k);                                      // (B, H, Tk, d)
        v = SplitHeads(v);
        if (rotaryPositions is not null)
        {
            if (context is not null) throw new ArgumentException("Rotary positions are for self-attention: the context's keys have no positions in the queries' sequence.");
            (q, k) = RotaryPositions.Apply(q, k, rotaryPositions);   // keys rotated before caching: a cached key keeps its own position
        }
        if (cache is not null) (k, v) = cache.Append(k, v);

        // The two products follow the precision in force (MixedPrecision); the scores and the softmax are float32 either way,
        // queries, keys, values and the attended values bfloat16 under bf16-mixed (they only feed products).
        var scores = MixedPrecision.MatMul(q, k.transpose(-2, -1)).div(scoreDivisor);   // (B, H, Tq, Tk)
        var attended = MixedPrecision.MatMulInner(Softmax(scores, mask), v);                 // (B, H, Tq, d)
        var merged = attended.transpose(1, 2).reshape(batch, length, Width);
        return MixedPrecision.Linear(out_proj, merged).MoveToOuterDisposeScope();

        Tensor SplitHeads(Tensor t) => t.view(batch, -1, Heads, HeadWidth).transpose(1, 2);
    }

    /// <summary>The attention weights (B, heads, Tq, Tk) the layer would use, for pictures of what looks where.</summary>
    public Tensor AttentionWeights(Tensor queries, Tensor context, Tensor? mask = null)
    {
        using var scope = NewDisposeScope();
        long batch = queries.shape[0];
        var weights = in_proj_weight.split([Width, 2 * Width], 0);
        var biases = in_proj_bias.split([Width, 2 * Width], 0);
        var q = MixedPrecision.LinearInner(queries, weights[0], biases[0]).view(batch, -1, Heads, HeadWidth).transpose(1, 2);
        var k = MixedPrecision.LinearInner(context, weights[1], biases[1]).chunk(2, -1)[0].view(batch, -1, Heads, HeadWidth).transpose(1, 2);
        var scores = MixedPrecision.MatMul(q, k.transpose(-2, -1)).div(scoreDivisor);
        return Softmax(scores, mask).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// √d, the scores' divisor, as a Scalar that lives as long as the layer, for the same reason as
    /// <see cref="HeldScalars"/>: the implicit one in <c>scores / Math.Sqrt(d)</c> was finalised mid-call once in a
    /// 1,000-step tower run at six steps a second ("Unknown scalar type" from <c>at::native::div</c>).
    /// </summary>
    readonly Scalar scoreDivisor;

    /// <summary>The attention weights over keys for scores (B, H, Tq, Tk) under a mask (see <see cref="forward"/>).</summary>
    static Tensor Softmax(Tensor scores, Tensor? mask)
    {
        if (mask is null) return nn.functional.softmax(scores, -1);
        if (mask.dtype != ScalarType.Bool) return nn.functional.softmax(scores.Plus(mask), -1);
        // A row with no visible key would be a softmax of all −∞: NaN, and NaN gradients. Such a row is left unmasked
        // (finite weights) and then zeroed, so its query receives exactly nothing and passes back zero gradient. Whether
        // there is such a row is read only from a mask on the CPU, where reading costs no wait for a device (a causal mask
        // never has one), and then the zeroing, a multiplication by one, is skipped; elsewhere every row goes through it.
        var anyVisible = mask.any(-1, keepdim: true);
        if (mask.device_type == DeviceType.CPU && anyVisible.all().item<bool>())
            return nn.functional.softmax(scores.masked_fill(mask.logical_not(), HeldScalars.NegativeInfinity), -1);
        var visible = mask.logical_or(anyVisible.logical_not());
        var probabilities = nn.functional.softmax(scores.masked_fill(visible.logical_not(), HeldScalars.NegativeInfinity), -1);
        return probabilities * anyVisible;
    }
}
