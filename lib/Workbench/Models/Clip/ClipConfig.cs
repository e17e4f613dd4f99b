namespace Workbench.Models.Clip;

/// <summary>
/// Everything that shapes a <see cref="ClipModel"/>. Start from a size (<see cref="Quick"/>, <see cref="Full"/>,
/// <see cref="Sized"/>) and vary it with <c>with</c>, e.g. <c>ClipConfig.Quick(vocab, eot) with { ImageEncoder = "cnn" }</c>.
/// </summary>
/// <param name="Text">The text encoder.</param>
public sealed record ClipConfig(TextTransformerConfig Text)
{
    /// <summary>Which image encoder to build: a name from <see cref="ImageEncoders.Names"/> ("vit" or "cnn").</summary>
    public string ImageEncoder { get; init; } = ImageEncoders.Vit;

    /// <summary>The image encoder used when <see cref="ImageEncoder"/> is "vit".</summary>
    public VisionTransformerConfig Vision { get; init; } = new();

    /// <summary>The image encoder used when <see cref="ImageEncoder"/> is "cnn".</summary>
    public ConvImageEncoderConfig Conv { get; init; } = new();

    /// <summary>Width D of the shared image-text embedding space.</summary>
    public int EmbedDim { get; init; } = 128;

    /// <summary>The training objective; it also decides how the temperature starts and whether there is a bias.</summary>
    public ContrastiveLossKind Loss { get; init; } = ContrastiveLossKind.InfoNce;

    /// <summary>
    /// The quick size, ≈1–2M parameters, for minutes of training on a 2-core CPU: width 128, 3 layers, 4 heads in both
    /// towers; a 2-block CNN (32 → 64 channels, flattened to 256 features). Every <c>ClipRunConfig</c> preset trains
    /// this size, with the CNN (<c>--preset full</c> trains it longer, not larger).
    /// </summary>
    /// <param name="vocabularySize">Token ids of the tokenizer.</param>
    /// <param name="endOfTextId">The tokenizer's end-of-text id.</param>
    /// <param name="contextLength">Most tokens per caption.</param>
    /// <param name="imageSize">Side of the square images.</param>
    /// <param name="padId">The tokenizer's padding id.</param>
    public static ClipConfig Quick(int vocabularySize, int endOfTextId, int contextLength = 32, int imageSize = 32, int padId = 0) =>
        Sized(vocabularySize, endOfTextId, contextLength, imageSize, padId, width: 128, layers: 3, heads: 4, cnnBaseWidth: 32);

    /// <summary>
    /// A larger size, ≈5–6M parameters: width 192, 6 layers, 6 heads in both towers; a 2-block CNN (64 → 128 channels,
    /// flattened to 384 features). No <c>ClipRunConfig</c> preset uses it (not even <c>full</c>, which trains
    /// <see cref="Quick"/> longer): it is for machines with more compute than the 2-core CPU the presets were tuned on.
    /// </summary>
    /// <param name="vocabularySize">Token ids of the tokenizer.</param>
    /// <param name="endOfTextId">The tokenizer's end-of-text id.</param>
    /// <param name="contextLength">Most tokens per caption.</param>
    /// <param name="imageSize">Side of the square images.</param>
    /// <param name="padId">The tokenizer's padding id.</param>
    public static ClipConfig Full(int vocabularySize, int endOfTextId, int contextLength = 32, int imageSize = 32, int padId = 0) =>
        Sized(vocabularySize, endOfTextId, contextLength, imageSize, padId, width: 192, layers: 6, heads: 6, cnnBaseWidth: 64);

    /// <summary>
    /// A model of any size: both Transformer towers and the shared embedding space <paramref name="width"/> wide, the
    /// ViT on an 8×8 (or 7×7) patch grid, the CNN flattened into <paramref name="cnnFeatures"/> features (default twice
    /// the width). The image encoder is the ViT until you say otherwise with <c>with { ImageEncoder = "cnn" }</c>.
    /// </summary>
    /// <param name="vocabularySize">Token ids of the tokenizer.</param>
    /// <param name="endOfTextId">The tokenizer's end-of-text id.</param>
    /// <param name="contextLength">Most tokens per caption.</param>
    /// <param name="imageSize">Side of the square images.</param>
    /// <param name="padId">The tokenizer's padding id.</param>
    /// <param name="width">Width of both towers and of the embedding space.</param>
    /// <param name="layers">Transformer blocks per tower.</param>
    /// <param name="heads">Attention heads per block.</param>
    /// <param name="cnnBaseWidth">Channels of the CNN's first block (doubling per block).</param>
    /// <param name="cnnBlocks">Blocks of the CNN.</param>
    /// <param name="cnnFeatures">Features after the CNN's flattening layer; null: twice <paramref name="width"/>.</param>
    public static ClipConfig Sized(int vocabularySize, int endOfTextId, int contextLength, int imageSize, int padId,
                                   int width, int layers, int heads, int cnnBaseWidth, int cnnBlocks = 2, int? cnnFeatures = null) =>
        new(new TextTransformerConfig(vocabularySize, endOfTextId, contextLength, width, layers, heads, padId))
        {
            Vision = new VisionTransformerConfig(imageSize, PatchSizeFor(imageSize), width, layers, heads),
            Conv = new ConvImageEncoderConfig(BaseWidth: cnnBaseWidth, Blocks: cnnBlocks, ImageSize: imageSize,
                                              FlattenWidth: cnnFeatures ?? 2 * width),
            EmbedDim = width,
        };

    /// <summary>A patch size giving an 8×8 grid (or 7×7, as ViT-B/32 at 224 pixels) of patches.</summary>
    static int PatchSizeFor(int imageSize) =>
        imageSize % 8 == 0 ? imageSize / 8
        : imageSize % 7 == 0 ? imageSize / 7
        : throw new ArgumentException(
            $"ClipConfig presets need an image size divisible by 8 or 7 (for an 8×8 or 7×7 patch grid); got {imageSize}. " +
            "Set Vision = new VisionTransformerConfig(ImageSize: ..., PatchSize: ...) yourself.");
}
