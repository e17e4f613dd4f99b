using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbench.Models.Clip;

/// <summary>Size of a <see cref="VisionTransformer"/>.</summary>
/// <param name="ImageSize">Side of the square input images in pixels; a multiple of <paramref name="PatchSize"/>.</param>
/// <param name="PatchSize">Side of the square patches, each becoming one token.</param>
/// <param name="Width">Token width.</param>
/// <param name="Layers">Number of transformer blocks.</param>
/// <param name="Heads">Attention heads per block.</param>
/// <param name="Channels">Image channels (3 for RGB).</param>
public sealed record VisionTransformerConfig(
    int ImageSize = 32, int PatchSize = 4, int Width = 128, int Layers = 4, int Heads = 4, int Channels = 3)
{
    /// <summary>Patches per image: (ImageSize / PatchSize)².</summary>
    public int PatchCount => (ImageSize / PatchSize) * (ImageSize / PatchSize);
}

/// <summary>
/// The Vision Transformer image encoder (Dosovitskiy et al. 2020, "An Image is Worth 16x16 Words"), as used by CLIP:
/// patches → linear embedding (a Conv2d with kernel = stride = patch size), a learned class token prepended,
/// learned position embeddings added, pre-norm transformer blocks, a final LayerNorm; the class token's features
/// summarise the image.
/// </summary>
public sealed class VisionTransformer : ImageEncoder
{
    readonly Conv2d patch_embedding;
    Parameter class_token;
    Parameter position_embedding;
    readonly ModuleList<TransformerBlock> blocks;
    readonly LayerNorm ln_final;

    /// <summary>The size this encoder was built with.</summary>
    public VisionTransformerConfig Config { get; }

    /// <inheritdoc />
    public override int OutputWidth => Config.Width;

    /// <summary>Creates the encoder with freshly initialised weights (from torch's global generator).</summary>
    public VisionTransformer(VisionTransformerConfig config) : base(nameof(VisionTransformer))
    {
        if (config.PatchSize <= 0 || config.ImageSize <= 0 || config.ImageSize % config.PatchSize != 0)
            throw new ArgumentException(
                $"VisionTransformer: image size {config.ImageSize} must be a positive multiple of the patch size {config.PatchSize}.");
        if (config.Layers < 0) throw new ArgumentException($"VisionTransformer: layer count {config.Layers} is negative.");
        Config = config;
        int width = config.Width;
        patch_embedding = nn.Conv2d(config.Channels, width, kernel_size: config.PatchSize, stride: config.PatchSize, bias: false);
        // CLIP initialises both with std width^-0.5 so that they start at the scale of the patch embeddings.
        double scale = Math.Pow(width, -0.5);
        class_token = nn.Parameter(randn(width) * scale);
        position_embedding = nn.Parameter(randn(config.PatchCount + 1, width) * scale);
        blocks = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new TransformerBlock(width, config.Heads)).ToArray());
        ln_final = nn.LayerNorm(width);
        RegisterComponents();
    }

    /// <summary>Encodes images (B, C, H, W) into class-token features (B, Width).</summary>
    public override Tensor forward(Tensor images)
    {
        CheckImages(images, Config.Channels, Config.ImageSize);
        using var scope = NewDisposeScope();
        long batch = images.shape[0];
        var patches = patch_embedding.forward(images)      // (B, W, H/p, W/p)
            .flatten(2).transpose(1, 2);                   // (B, N, W)
        var classTokens = class_token.expand(batch, 1, Config.Width);
        var x = cat([classTokens, patches], 1) + position_embedding;  // (B, N + 1, W)
        foreach (var block in blocks) x = block.forward(x);
        var features = ln_final.forward(x[.., 0]);          // the class token
        return features.MoveToOuterDisposeScope();
    }
}
