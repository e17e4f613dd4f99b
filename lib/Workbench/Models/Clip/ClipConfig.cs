namespace Workbench.Models.Clip;

/// <summary>
/// Everything that shapes a <see cref="ClipModel"/>. Start from a preset (<see cref="Quick"/>, <see cref="Full"/>)
/// and vary it with <c>with</c>, e.g. <c>ClipConfig.Quick(vocab, eot) with { ImageEncoder = "cnn" }</c>.
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
    /// The quick preset, ≈1–2M parameters, for minutes of training on a 2-core CPU: width 128, 3 layers, 4 heads
    /// in both towers; a 2-block CNN (32 → 64 channels, flattened to 256 features) as the image ablation.
    /// </summary>
    /// <param name="vocabularySize">Token ids of the tokenizer.</param>
    /// <param name="endOfTextId">The tokenizer's end-of-text id.</param>
    /// <param name="contextLength">Most tokens per caption.</param>
    /// <param name="imageSize">Side of the square images.</param>
    /// <param name="padId">The tokenizer's padding id.</param>
    public static ClipConfig Quick(int vocabularySize, int endOfTextId, int contextLength = 32, int imageSize = 32, int padId = 0) =>
        Preset(vocabularySize, endOfTextId, contextLength, imageSize, padId, width: 128, layers: 3, heads: 4, cnnBaseWidth: 32);

    /// <summary>
    /// The full preset, ≈5–6M parameters, for longer runs on a 2-core CPU: width 192, 6 layers, 6 heads in both
    /// towers; a 2-block CNN (64 → 128 channels, flattened to 384 features) as the image ablation.
    /// </summary>
    /// <param name="vocabularySize">Token ids of the tokenizer.</param>
    /// <param name="endOfTextId">The tokenizer's end-of-text id.</param>
    /// <param name="contextLength">Most tokens per caption.</param>
    /// <param name="imageSize">Side of the square images.</param>
    /// <param name="padId">The tokenizer's padding id.</param>
    public static ClipConfig Full(int vocabularySize, int endOfTextId, int contextLength = 32, int imageSize = 32, int padId = 0) =>
        Preset(vocabularySize, endOfTextId, contextLength, imageSize, padId, width: 192, layers: 6, heads: 6, cnnBaseWidth: 64);

    static ClipConfig Preset(int vocabularySize, int endOfTextId, int contextLength, int imageSize, int padId,
                             int width, int layers, int heads, int cnnBaseWidth) =>
        new(new TextTransformerConfig(vocabularySize, endOfTextId, contextLength, width, layers, heads, padId))
        {
            Vision = new VisionTransformerConfig(imageSize, PatchSizeFor(imageSize), width, layers, heads),
            Conv = new ConvImageEncoderConfig(BaseWidth: cnnBaseWidth, Blocks: 2, ImageSize: imageSize, FlattenWidth: 2 * width),
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
