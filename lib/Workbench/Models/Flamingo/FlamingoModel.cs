using TorchSharp;
using TorchSharp.Modules;
using Workbench.Models.Clip;
using Workbench.Models.Language;
using static TorchSharp.torch;

namespace Workbench.Models.Flamingo;

/// <summary>
/// Flamingo (Alayrac et al. 2022, "Flamingo: a Visual Language Model for Few-Shot Learning"): a frozen language model
/// learns to see through tanh-gated cross-attention layers inserted before its blocks, which read each image's visual
/// tokens, made by a Perceiver resampler from a frozen vision tower's features. The text keeps one <c>&lt;image&gt;</c>
/// token where each image stands; a text token attends only to the visual tokens of its most recent image.
/// <para>
/// What trains: the resampler, the gated blocks, and the embeddings of the two special tokens (<c>&lt;image&gt;</c> and
/// <c>&lt;eoc&gt;</c>, kept as their own small table so the frozen embedding matrix stays untouched). The tower and the
/// language model never change. With every gate at 0 (as built) the model's logits are the language model's exactly.
/// </para>
/// Parameter names: <c>vision_tower</c>, <c>perceiver</c>, <c>gated_cross_attn_layers.N</c> (N the language-model block it
/// precedes, as in OpenFlamingo), <c>language_model</c>, <c>special_embeddings</c>.
/// </summary>
public sealed class FlamingoModel : nn.Module
{
    readonly ImageEncoder vision_tower;
    readonly PerceiverResampler perceiver;
    readonly GatedBlocks gated_cross_attn_layers;
    readonly GptModel language_model;
    readonly Parameter special_embeddings;
    readonly int[] blocksWithCrossAttention;

    /// <summary>Builds the model around a tower and a language model (both frozen, weights kept).</summary>
    /// <param name="visionTower">The image encoder, e.g. a trained CLIP's.</param>
    /// <param name="languageModel">The language model.</param>
    /// <param name="imageTokenId">The id of <c>&lt;image&gt;</c>.</param>
    /// <param name="endOfChunkId">The id of <c>&lt;eoc&gt;</c>.</param>
    /// <param name="crossAttentionEvery">A gated block before every N-th language-model block: before block i when (i + 1) % N == 0
    /// (OpenFlamingo's <c>cross_attn_every_n_layers</c>); 1 puts one before every block.</param>
    /// <param name="latents">Visual tokens per image (the resampler's latents).</param>
    /// <param name="resamplerDepth">Layers of the resampler; 0: none, the patches are the visual tokens (the ablation; <paramref name="latents"/> is then unused).</param>
    /// <param name="visionLayer">The tower layer whose tokens the resampler reads; null: the tower's default.</param>
    /// <param name="features">Patch tokens (Flamingo's choice) or the pooled feature as one token.</param>
    /// <param name="patchPositions">Give the resampler learned position embeddings for the tower's patches.</param>
    /// <param name="maxFrames">Time embeddings in the resampler for media of up to this many frames (0: none; still images).</param>
    public FlamingoModel(ImageEncoder visionTower, GptModel languageModel, int imageTokenId, int endOfChunkId,
        int crossAttentionEvery = 1, int latents = 8, int resamplerDepth = 2, int? visionLayer = null,
        VisionFeatures features = VisionFeatures.Patches, bool patchPositions = false, int maxFrames = 0) : base(nameof(FlamingoModel))
    {
        int layers = languageModel.Blocks.Count;
        if (crossAttentionEvery < 1 || crossAttentionEvery > layers)
            throw new ArgumentException($"FlamingoModel: cross-attention every {crossAttentionEvery} blocks; the language model has {layers} (use 1..{layers}).");
        vision_tower = visionTower;
        language_model = languageModel;
        (ImageTokenId, EndOfChunkId, CrossAttentionEvery) = (imageTokenId, endOfChunkId, crossAttentionEvery);
        VisionLayer = visionLayer ?? visionTower.DefaultTokenLayer;
        Features = features;
        int width = languageModel.Width, heads = languageModel.Config.Heads;
        int featureWidth = features == VisionFeatures.Pooled ? visionTower.OutputWidth : visionTower.TokenWidth;
        int patches = features == VisionFeatures.Pooled ? 1 : visionTower.TokenCount(VisionLayer);
        // Without a resampler (depth 0, the ablation) the visual tokens are the patches, however many latents were asked for.
        perceiver = new PerceiverResampler(featureWidth, width, resamplerDepth, resamplerDepth == 0 ? patches : latents, heads, maxFrames, patchPositions ? patches : 0);
        blocksWithCrossAttention = Enumerable.Range(0, layers).Where(i => (i + 1) % crossAttentionEvery == 0).ToArray();
        gated_cross_attn_layers = new GatedBlocks(blocksWithCrossAttention.Select(i => (i, new GatedCrossAttentionBlock(width, heads))));
        using (no_grad())
            special_embeddings = nn.Parameter(stack([languageModel.TokenEmbedding[imageTokenId], languageModel.TokenEmbedding[endOfChunkId]]).clone());
        RegisterComponents();
        vision_tower.SetTrainable(false);
        language_model.SetTrainable(false);
    }

    /// <summary>
    /// Freezes the language model (Flamingo, as built) or lets it train too: the ablation that measures what freezing
    /// costs, the counterpart of LLaVA's <c>--freeze-lm</c>. The tower stays frozen either way.
    /// </summary>
    public void FreezeLanguageModel(bool frozen) => language_model.SetTrainable(!frozen);

    /// <summary>The frozen vision tower.</summary>
    public ImageEncoder VisionTower => vision_tower;
    /// <summary>The Perceiver resampler.</summary>
    public PerceiverResampler Resampler => perceiver;
    /// <summary>The frozen language model.</summary>
    public GptModel LanguageModel => language_model;
    /// <summary>The id of <c>&lt;image&gt;</c>.</summary>
    public int ImageTokenId { get; }
    /// <summary>The id of <c>&lt;eoc&gt;</c>.</summary>
    public int EndOfChunkId { get; }
    /// <summary>A gated block before every N-th language-model block.</summary>
    public int CrossAttentionEvery { get; }
    /// <summary>The tower layer the resampler reads (with patch features).</summary>
    public int VisionLayer { get; }
    /// <summary>Which tower output the resampler reads.</summary>
    public VisionFeatures Features { get; }
    /// <summary>Visual tokens per image.</summary>
    public int Latents => perceiver.Latents;

    /// <summary>The gated blocks with the language-model block each precedes.</summary>
    public IReadOnlyList<(int Block, GatedCrossAttentionBlock Layer)> CrossAttentionLayers =>
        blocksWithCrossAttention.Select(i => (i, gated_cross_attn_layers.Before(i))).ToList();

    /// <summary>The frozen tower's features of images (B, C, H, W): (B, N, Wv), without gradients.</summary>
    public Tensor VisionFeaturesOf(Tensor images) => vision_tower.FrozenFeatures(images, Features == VisionFeatures.Pooled ? null : VisionLayer);

    /// <summary>
    /// The visual tokens of every image of each row: tower features (B, M, N, Wv) → (B, M·K, W), image m's
    /// <see cref="Latents"/> tokens at m·K..m·K+K−1. Rows with fewer images may pad with anything: the mask hides it.
    /// </summary>
    public Tensor Media(Tensor features)
    {
        if (features.dim() != 4) throw new ArgumentException($"FlamingoModel.Media expects features (B, M, N, Wv); got ({string.Join(", ", features.shape)}).");
        long batch = features.shape[0], images = features.shape[1];
        using var flat = features.reshape(batch * images, features.shape[2], features.shape[3]);
        using var resampled = perceiver.forward(flat);
        return resampled.reshape(batch, images * Latents, -1);
    }

    /// <summary>Token embeddings (B, T, W) of ids (B, T), with the trainable rows for <c>&lt;image&gt;</c> and <c>&lt;eoc&gt;</c>.</summary>
    public Tensor Embed(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var embedded = language_model.Embed(ids);
        embedded = where(ids.eq(ImageTokenId).unsqueeze(-1), special_embeddings[0], embedded);
        embedded = where(ids.eq(EndOfChunkId).unsqueeze(-1), special_embeddings[1], embedded);
        return embedded.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// For every token (B, T), the row-local index of the most recent image at or before it, −1 where none: a cumulative
    /// count of image tokens (an image token belongs to its own image, as in OpenFlamingo).
    /// </summary>
    public Tensor MostRecentImage(Tensor ids) => MostRecentImage(ids, ImageTokenId);

    /// <summary>The most recent image of every token (B, T) when <paramref name="imageTokenId"/> marks images: see <see cref="MostRecentImage(Tensor)"/>.</summary>
    public static Tensor MostRecentImage(Tensor ids, long imageTokenId) => ids.eq(imageTokenId).to_type(ScalarType.Int64).cumsum(1) - 1;

    /// <summary>
    /// Which visual tokens each text token may attend to, (B, 1, T, M·K), and whether it has an image at all, (B, T, 1):
    /// token t sees image m's tokens exactly when m is its most recent image.
    /// </summary>
    public (Tensor Mask, Tensor HasImage) MediaMask(Tensor recent, long mediaTokens) => MediaMask(recent, mediaTokens, Latents);

    /// <summary>The media mask of <see cref="MediaMask(Tensor, long)"/> for images of <paramref name="latents"/> visual tokens each.</summary>
    public static (Tensor Mask, Tensor HasImage) MediaMask(Tensor recent, long mediaTokens, int latents)
    {
        using var scope = NewDisposeScope();
        var keyImage = arange(mediaTokens, dtype: ScalarType.Int64, device: recent.device).div(latents, rounding_mode: RoundingMode.floor);
        var mask = recent.unsqueeze(-1).eq(keyImage.view(1, 1, -1)).unsqueeze(1);
        var hasImage = recent.ge(0).unsqueeze(-1).to_type(ScalarType.Float32);
        return (mask.MoveToOuterDisposeScope(), hasImage.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The hook that runs the gated blocks inside the language model (<see cref="GptModel.Logits"/>'s <c>beforeBlock</c>).
    /// <paramref name="recent"/> (B, T) covers the sequence given; when generation feeds the language model one new token
    /// at a time (or a longer sequence), tokens past the given ones belong to the last image of their row.
    /// </summary>
    public Func<int, Tensor, Tensor> CrossAttention(Tensor media, Tensor recent)
    {
        var layers = CrossAttentionLayers.ToDictionary(l => l.Block, l => l.Layer);
        return (block, hidden) =>
        {
            if (!layers.TryGetValue(block, out var layer)) return hidden;
            using var scope = NewDisposeScope();
            long length = hidden.shape[1], given = recent.shape[1];
            var r = length == given ? recent
                : length < given ? recent[.., ^1..].expand(-1, length)
                : cat([recent, recent[.., ^1..].expand(-1, length - given)], 1);
            var (mask, hasImage) = MediaMask(r, media.shape[1]);
            return layer.forward(hidden, media, mask, hasImage).MoveToOuterDisposeScope();
        };
    }

    /// <summary>Next-token logits (B, T, V) of ids (B, T) reading the images of tower features (B, M, N, Wv).</summary>
    public Tensor Logits(Tensor ids, Tensor features, Tensor? positions = null, Tensor? keyMask = null)
    {
        using var scope = NewDisposeScope();
        var media = Media(features);
        return language_model.Logits(Embed(ids), positions, keyMask, beforeBlock: CrossAttention(media, MostRecentImage(ids))).MoveToOuterDisposeScope();
    }

    /// <summary>The mean next-token loss of <paramref name="targets"/> (B, T), −100 where there is no loss.</summary>
    public Tensor Loss(Tensor ids, Tensor targets, Tensor features)
    {
        using var scope = NewDisposeScope();
        var logits = Logits(ids, features);
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1), ignore_index: -100).MoveToOuterDisposeScope();
    }

    /// <summary>The parameters that train: the resampler's, the gated blocks' and the special-token embeddings (and the language model's when <see cref="FreezeLanguageModel"/> unfroze it).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> TrainableParameters => named_parameters().Where(p => p.parameter.requires_grad);
}

/// <summary>
/// The gated blocks, each registered under the number of the language-model block it precedes (<c>1</c>, <c>3</c>, ...), as
/// OpenFlamingo names them. Not TorchSharp's <c>ModuleDict</c>: moving one to another device fails in TorchSharp 0.107
/// (its <c>Module.to</c> reflects over properties by name, and the dictionary's two indexers are both called "Item"),
/// which the meta-device test found.
/// </summary>
public sealed class GatedBlocks : nn.Module
{
    readonly Dictionary<int, GatedCrossAttentionBlock> byBlock = [];

    /// <summary>Registers each block under its language-model block's number.</summary>
    public GatedBlocks(IEnumerable<(int Block, GatedCrossAttentionBlock Layer)> blocks) : base(nameof(GatedBlocks))
    {
        foreach (var (block, layer) in blocks)
        {
            byBlock[block] = layer;
            register_module($"{block}", layer);
        }
    }

    /// <summary>The gated block before language-model block <paramref name="block"/>.</summary>
    public GatedCrossAttentionBlock Before(int block) => byBlock[block];
}
