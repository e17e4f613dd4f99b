using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Workbench.Runtime;

namespace Workbench.Models.Flamingo;

/// <summary>
/// Flamingo's Perceiver resampler (Alayrac et al. 2022, §2.1 and appendix A.1.1; Jaegle et al. 2021): a fixed number of
/// learned latent queries read a variable number of visual features through cross-attention, so the language model
/// always sees <see cref="Latents"/> tokens per image, whatever the tower's patch grid. In each layer the keys and
/// values are the features <i>and the latents</i> concatenated, so latents also exchange information with each other;
/// a feed-forward layer follows. Optional learned time embeddings tell the frames of one medium apart, and optional
/// patch position embeddings tell the latents where each feature sits (for towers whose tokens do not say).
/// <para>
/// Depth 0 is the ablation without a resampler: no latents, and the visual tokens are the patch features themselves
/// (projected to the language model's width, with their position embeddings, normalised), so the gated blocks read every
/// patch. Learned latents summarise an image whatever its patches; the price is locality: on ShapesWorld the 8 latents
/// carry the scene's most salient object to the text, not the one a question names (README, "Where Flamingo loses the
/// question's object").
/// </para>
/// Parameter names follow OpenFlamingo's (<c>latents</c>, <c>media_time_embs</c>, <c>layers.N.norm_media</c>,
/// <c>layers.N.norm_latents</c>, <c>layers.N.attn</c>, <c>layers.N.ff</c>, <c>norm</c>).
/// </summary>
public sealed class PerceiverResampler : nn.Module<Tensor, Tensor>
{
    readonly Linear? input_proj;
    readonly Parameter? latents;
    readonly Parameter? media_time_embs;
    readonly Parameter? patch_pos_embs;
    readonly ModuleList<PerceiverLayer> layers;
    readonly LayerNorm norm;

    /// <summary>Creates the resampler.</summary>
    /// <param name="inputWidth">Width of the visual features it reads (the tower's token width).</param>
    /// <param name="width">Width of the latents and of the output (the language model's width).</param>
    /// <param name="depth">Number of cross-attention + feed-forward layers; 0: none, the patches pass through (the ablation).</param>
    /// <param name="latentCount">Number of latents: output tokens per image. At depth 0, the patches per image (the output
    /// is the patches, so their number is fixed by the tower).</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="maxFrames">Frames per medium with a learned time embedding; 0: no time embeddings (still images).</param>
    /// <param name="maxPatches">Patches per frame with a learned position embedding; 0: none, and the latents read the
    /// features as a set. A ViT's tokens already carry their position; a CNN's do not, and without it "where" questions
    /// (and shapes, spread over neighbouring cells) cannot be answered.</param>
    public PerceiverResampler(int inputWidth, int width, int depth, int latentCount, int heads, int maxFrames = 0, int maxPatches = 0)
        : base(nameof(PerceiverResampler))
    {
        if (depth < 0 || latentCount < 1 || maxFrames < 0 || maxPatches < 0)
            throw new ArgumentException($"PerceiverResampler: latents must be at least 1, depth, frames and patches not negative (got {depth}, {latentCount}, {maxFrames}, {maxPatches}).");
        if (depth == 0 && maxFrames > 1)
            throw new ArgumentException($"PerceiverResampler: without layers (depth 0) the patches pass through one frame at a time; {maxFrames} frames need latents to read them.");
        input_proj = inputWidth == width ? null : nn.Linear(inputWidth, width);
        latents = depth == 0 ? null : nn.Parameter(randn(latentCount, width) * 0.02);
        media_time_embs = maxFrames > 0 ? nn.Parameter(randn(maxFrames, 1, width) * 0.02) : null;
        patch_pos_embs = maxPatches > 0 ? nn.Parameter(randn(maxPatches, width) * 0.02) : null;
        layers = nn.ModuleList(Enumerable.Range(0, depth).Select(_ => new PerceiverLayer(width, heads)).ToArray());
        norm = nn.LayerNorm(width);
        (InputWidth, Width, Latents, MaxFrames, MaxPatches) = (inputWidth, width, latentCount, maxFrames, maxPatches);
        RegisterComponents();
    }

    /// <summary>Width of the features read.</summary>
    public int InputWidth { get; }
    /// <summary>Width of the output tokens.</summary>
    public int Width { get; }
    /// <summary>Output tokens per image (at depth 0, the patches).</summary>
    public int Latents { get; }
    /// <summary>Frames with a time embedding (0: none).</summary>
    public int MaxFrames { get; }
    /// <summary>Patches with a position embedding (0: none).</summary>
    public int MaxPatches { get; }
    /// <summary>Layers (cross-attention + feed-forward).</summary>
    public int Depth => layers.Count;

    /// <summary>
    /// The latents after reading one still image's features (B, N, Wv): (B, <see cref="Latents"/>, W) for any N; at depth 0
    /// the N = <see cref="Latents"/> patches themselves.
    /// </summary>
    public override Tensor forward(Tensor features)
    {
        if (features.dim() != 3) throw new ArgumentException($"PerceiverResampler expects features (B, N, {InputWidth}); got ({string.Join(", ", features.shape)}).");
        using var frames = features.unsqueeze(1);
        return Frames(frames);
    }

    /// <summary>
    /// The latents after reading every frame of a medium (B, F, N, Wv), each frame's features marked with its time
    /// embedding when there are any: (B, <see cref="Latents"/>, W).
    /// </summary>
    public Tensor Frames(Tensor features)
    {
        using var scope = NewDisposeScope();
        var (x, l) = Inputs(features);
        if (l is null)
        {
            if (x.shape[1] != Latents)
                throw new ArgumentException($"PerceiverResampler without layers passes {Latents} patches through; got {x.shape[1]}.");
            return norm.forward(x).MoveToOuterDisposeScope();
        }
        foreach (var layer in layers) l = layer.forward(x, l);
        return norm.forward(l).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// What each latent reads in the last layer, for pictures: that layer's attention weights (B, heads, K, N + K) over
    /// [features ; latents] of one still image's features (B, N, Wv), the first N columns the patches.
    /// </summary>
    public Tensor LastLayerAttention(Tensor features)
    {
        if (features.dim() != 3) throw new ArgumentException($"PerceiverResampler expects features (B, N, {InputWidth}); got ({string.Join(", ", features.shape)}).");
        if (layers.Count == 0) throw new InvalidOperationException("PerceiverResampler without layers (depth 0) has no attention to show.");
        using var scope = NewDisposeScope();
        var (x, l) = Inputs(features.unsqueeze(1));
        foreach (var layer in layers.Take(layers.Count - 1)) l = layer.forward(x, l!);
        return layers[layers.Count - 1].AttentionWeights(x, l!).MoveToOuterDisposeScope();
    }

    /// <summary>The first layer's inputs: every frame's features (B, F, N, Wv) as one sequence (B, F·N, W), and the latents (B, K, W); none at depth 0.</summary>
    (Tensor Features, Tensor? Latents) Inputs(Tensor features)
    {
        if (features.dim() != 4 || features.shape[3] != InputWidth)
            throw new ArgumentException($"PerceiverResampler expects features (B, F, N, {InputWidth}); got ({string.Join(", ", features.shape)}).");
        long batch = features.shape[0], frames = features.shape[1];
        if (media_time_embs is not null && frames > MaxFrames)
            throw new ArgumentException($"PerceiverResampler: {frames} frames but time embeddings for {MaxFrames}.");
        long patches = features.shape[2];
        if (patch_pos_embs is not null && patches > MaxPatches)
            throw new ArgumentException($"PerceiverResampler: {patches} patches but position embeddings for {MaxPatches}.");
        var x = input_proj is null ? features : MixedPrecision.Linear(input_proj, features);
        if (patch_pos_embs is not null) x = x.Plus(patch_pos_embs[..(int)patches]);
        if (media_time_embs is not null) x = x.Plus(media_time_embs[..(int)frames]);
        x = x.reshape(batch, -1, Width);                                   // all frames' tokens in one sequence
        return (x, latents?.unsqueeze(0).expand(batch, -1, -1));
    }

    /// <summary>One layer: latents attend to [features ; latents], then a feed-forward layer, each residual.</summary>
    public sealed class PerceiverLayer : nn.Module
    {
        readonly LayerNorm norm_media;
        readonly LayerNorm norm_latents;
        readonly MultiHeadAttention attn;
        readonly FeedForward ff;

        /// <summary>Creates the layer.</summary>
        public PerceiverLayer(int width, int heads) : base(nameof(PerceiverLayer))
        {
            norm_media = nn.LayerNorm(width);
            norm_latents = nn.LayerNorm(width);
            attn = new MultiHeadAttention(width, heads);
            ff = new FeedForward(width);
            RegisterComponents();
        }

        /// <summary>The attention layer (for pictures of what each latent reads).</summary>
        public MultiHeadAttention Attention => attn;

        /// <summary>Updated latents (B, K, W) after reading features (B, N, W).</summary>
        public Tensor forward(Tensor features, Tensor latents)
        {
            using var scope = NewDisposeScope();
            var (l, context) = QueriesAndContext(features, latents);
            var x = latents.Plus(attn.forward(l, context));
            return x.Plus(ff.forward(x)).MoveToOuterDisposeScope();
        }

        /// <summary>The attention weights (B, heads, K, N + K) of the latents over [features ; latents] (for pictures).</summary>
        public Tensor AttentionWeights(Tensor features, Tensor latents)
        {
            using var scope = NewDisposeScope();
            var (l, context) = QueriesAndContext(features, latents);
            return attn.AttentionWeights(l, context).MoveToOuterDisposeScope();
        }

        (Tensor Queries, Tensor Context) QueriesAndContext(Tensor features, Tensor latents)
        {
            var l = norm_latents.forward(latents);
            return (l, cat([norm_media.forward(features), l], 1));
        }
    }
}
