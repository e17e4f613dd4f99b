using TorchSharp;
using Workbench.Models;
using Workbench.Models.Clip;
using Workbench.Models.Language;
using static TorchSharp.torch;

namespace Workbench.Models.Llava;

/// <summary>
/// LLaVA (Liu et al. 2023, "Visual Instruction Tuning"): a frozen vision tower's features, mapped by a projector
/// into the language model's token-embedding space, stand where the <c>&lt;image&gt;</c> token stands in the prompt; the
/// language model reads them as it reads words. The tower never trains; the projector always does; the language model
/// trains in stage 2 unless frozen.
/// </summary>
public sealed class LlavaModel : nn.Module
{
    readonly ImageEncoder vision_tower;
    readonly nn.Module<Tensor, Tensor> mm_projector;
    readonly GptModel language_model;

    /// <summary>Builds the model around a tower and a language model (their weights are kept; the tower is frozen).</summary>
    /// <param name="visionTower">The image encoder, e.g. a trained CLIP's.</param>
    /// <param name="languageModel">The language model.</param>
    /// <param name="projector">A name from <see cref="Projectors.Names"/>.</param>
    /// <param name="imageTokenId">The token id that marks where the image goes.</param>
    /// <param name="features">Patch tokens or the pooled feature.</param>
    /// <param name="visionLayer">The tower layer of the patch tokens; null: the tower's default (a ViT's penultimate block).</param>
    /// <param name="pooledTokens">With <see cref="VisionFeatures.Pooled"/>: how many language-model tokens the projector
    /// makes of the one pooled feature (its output is that many tokens' width, then split).</param>
    /// <param name="imageGrid">With patch tokens: average them over their square map down to a G×G grid before the
    /// projector (G·G image tokens; MobileVLM's downsampling projector pools the same way); null: every patch token.</param>
    public LlavaModel(ImageEncoder visionTower, GptModel languageModel, string projector, int imageTokenId,
        VisionFeatures features = VisionFeatures.Patches, int? visionLayer = null, int pooledTokens = 1, int? imageGrid = null) : base(nameof(LlavaModel))
    {
        if (pooledTokens < 1) throw new ArgumentException($"LlavaModel: pooledTokens must be at least 1 (got {pooledTokens}).");
        vision_tower = visionTower;
        language_model = languageModel;
        Features = features;
        VisionLayer = visionLayer ?? visionTower.DefaultTokenLayer;
        ImageTokenId = imageTokenId;
        bool pooled = features == VisionFeatures.Pooled;
        int width = pooled ? visionTower.OutputWidth : visionTower.TokenWidth;
        TokensPerFeature = pooled ? pooledTokens : 1;
        ImageTokens = pooled ? pooledTokens : visionTower.TokenCount(VisionLayer);
        if (imageGrid is int grid)
        {
            int side = (int)Math.Round(Math.Sqrt(ImageTokens));
            if (pooled || side * side != ImageTokens || grid < 1 || grid > side)
                throw new ArgumentException(pooled
                    ? "LlavaModel: an image grid pools patch tokens; the pooled feature has none."
                    : $"LlavaModel: cannot pool the tower's {ImageTokens} patch tokens to a {grid}x{grid} grid (it needs a square map of at least that side).");
            (ImageGrid, PatchSide, ImageTokens) = (grid, side, grid * grid);
        }
        if (ImageTokens >= languageModel.Config.ContextLength)
            throw new ArgumentException($"LlavaModel: {ImageTokens} image tokens leave no room for text in the language model's {languageModel.Config.ContextLength} "
                + "positions; pool the patch tokens to a smaller grid (ImageGrid) or read the pooled feature (Features=Pooled).");
        mm_projector = Projectors.Build(projector, width, languageModel.Width * TokensPerFeature);
        RegisterComponents();
        vision_tower.SetTrainable(false);
    }

    /// <summary>The frozen vision tower.</summary>
    public ImageEncoder VisionTower => vision_tower;

    /// <summary>The projector.</summary>
    public nn.Module<Tensor, Tensor> Projector => mm_projector;

    /// <summary>The language model.</summary>
    public GptModel LanguageModel => language_model;

    /// <summary>Which tower output is read.</summary>
    public VisionFeatures Features { get; }

    /// <summary>The tower layer read for patch tokens.</summary>
    public int VisionLayer { get; }

    /// <summary>The image token's id.</summary>
    public int ImageTokenId { get; }

    /// <summary>Tokens each image becomes in the language model's sequence.</summary>
    public int ImageTokens { get; }

    /// <summary>Language-model tokens the projector makes of each vision feature (1 for patch tokens).</summary>
    public int TokensPerFeature { get; }

    /// <summary>The side of the grid the patch tokens are pooled to, or null when every patch token is kept.</summary>
    public int? ImageGrid { get; }

    int PatchSide { get; }

    /// <summary>
    /// Projects vision features (B, N, Wv), as the tower gives them, to language-model tokens (B, <see cref="ImageTokens"/>, W):
    /// pooled to the <see cref="ImageGrid"/> first when there is one.
    /// </summary>
    public Tensor Project(Tensor features)
    {
        using var scope = NewDisposeScope();
        var tokens = ImageGrid is int grid ? GridPool(features, PatchSide, grid) : features;
        var projected = MixedPrecision.Forward(mm_projector, tokens);
        return projected.reshape(features.shape[0], -1, language_model.Width).MoveToOuterDisposeScope();
    }

    /// <summary>Patch tokens (B, side², C) of a square map, row by row, averaged over a grid×grid partition of the map: (B, grid², C).</summary>
    public static Tensor GridPool(Tensor tokens, int side, int grid)
    {
        using var scope = NewDisposeScope();
        long batch = tokens.shape[0], channels = tokens.shape[2];
        var map = tokens.transpose(1, 2).reshape(batch, channels, side, side);
        return nn.functional.adaptive_avg_pool2d(map, [grid, grid]).flatten(2).transpose(1, 2).MoveToOuterDisposeScope();
    }

    /// <summary>Freezes or unfreezes the language model (stage 1 and the frozen-LM ablation freeze it).</summary>
    public void FreezeLanguageModel(bool frozen)
    {
        language_model.SetTrainable(!frozen);
    }

    /// <summary>The frozen tower's features of images (B, C, H, W): (B, N, Wv), computed without gradients in eval mode.</summary>
    public Tensor VisionFeaturesOf(Tensor images) =>
        vision_tower.FrozenFeatures(images, Features == VisionFeatures.Pooled ? null : VisionLayer);

    /// <summary>
    /// The language model's input embeddings: token embeddings of <paramref name="tokens"/> (B, T) with the projected
    /// <paramref name="features"/> (B, N, Wv) spliced in at each row's image token, (B, T − 1 + N, W).
    /// </summary>
    public Tensor InputEmbeddings(Tensor tokens, Tensor features)
    {
        using var scope = NewDisposeScope();
        var positions = ImageSplice.ImagePositions(tokens, ImageTokenId);
        var projected = Project(features);
        return ImageSplice.Splice(language_model.Embed(tokens), projected, positions).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The mean next-token loss of <paramref name="targets"/> (B, T), the text's next-token targets with −100 where there is
    /// no loss, after splicing: image positions never carry loss.
    /// </summary>
    public Tensor Loss(Tensor tokens, Tensor targets, Tensor features)
    {
        using var scope = NewDisposeScope();
        var embeddings = InputEmbeddings(tokens, features);
        var spliced = ImageSplice.SpliceTargets(targets, ImageSplice.ImagePositions(tokens, ImageTokenId), ImageTokens, -100);
        var logits = language_model.Logits(embeddings);
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), spliced.reshape(-1), ignore_index: -100).MoveToOuterDisposeScope();
    }
}
