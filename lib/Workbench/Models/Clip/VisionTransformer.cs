using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Workbench.Runtime;

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
    /// <summary>The MLP's non-linearity: GELU (OpenCLIP's own models), or QuickGELU (OpenAI's CLIP).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Activation Activation { get; init; } = Activation.Gelu;

    /// <summary>
    /// A LayerNorm (<c>ln_pre</c>) over the embedded tokens before the first block, as OpenAI's and OpenCLIP's ViTs have.
    /// Off for the workbench's own towers, whose figures were measured without it; pretrained checkpoints turn it on.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool PreNorm { get; init; }

    /// <summary>Patches per image: (ImageSize / PatchSize)².</summary>
    public int PatchCount => (ImageSize / PatchSize) * (ImageSize / PatchSize);
}

/// <summary>
/// The Vision Transformer image encoder (Dosovitskiy et al. 2020, "An Image is Worth 16x16 Words"), as used by CLIP:
/// patches → linear embedding (a Conv2d with kernel = stride = patch size), a learned class token prepended,
/// learned position embeddings added, pre-norm transformer blocks, a final LayerNorm; the class token's features
/// summarise the image. Parameter names are OpenCLIP's (<c>conv1</c>, <c>class_embedding</c>,
/// <c>positional_embedding</c>, <c>ln_pre</c>, <c>transformer.resblocks.N</c>, <c>ln_post</c>).
/// </summary>
public sealed class VisionTransformer : ImageEncoder
{
    readonly Conv2d conv1;
    Parameter class_embedding;
    Parameter positional_embedding;
    readonly LayerNorm? ln_pre;
    readonly Transformer transformer;
    readonly LayerNorm ln_post;

    /// <summary>The size this encoder was built with.</summary>
    public VisionTransformerConfig Config { get; }

    /// <inheritdoc />
    public override int OutputWidth => Config.Width;

    /// <inheritdoc />
    public override int TokenWidth => Config.Width;

    /// <summary>The penultimate block's output, as LLaVA reads CLIP (its last block is tuned to the class token).</summary>
    public override int DefaultTokenLayer => Config.Layers >= 2 ? -2 : -1;

    /// <summary>Creates the encoder with freshly initialised weights (from torch's global generator).</summary>
    public VisionTransformer(VisionTransformerConfig config) : base(nameof(VisionTransformer))
    {
        if (config.PatchSize <= 0 || config.ImageSize <= 0 || config.ImageSize % config.PatchSize != 0)
            throw new ArgumentException(
                $"VisionTransformer: image size {config.ImageSize} must be a positive multiple of the patch size {config.PatchSize}.");
        if (config.Layers < 0) throw new ArgumentException($"VisionTransformer: layer count {config.Layers} is negative.");
        Config = config;
        int width = config.Width;
        conv1 = nn.Conv2d(config.Channels, width, kernel_size: config.PatchSize, stride: config.PatchSize, bias: false);
        // CLIP initialises both with std width^-0.5 so that they start at the scale of the patch embeddings.
        double scale = Math.Pow(width, -0.5);
        class_embedding = nn.Parameter(randn(width) * scale);
        positional_embedding = nn.Parameter(randn(config.PatchCount + 1, width) * scale);
        ln_pre = config.PreNorm ? nn.LayerNorm(width) : null;
        transformer = new Transformer(width, config.Layers, config.Heads, activation: config.Activation);
        ln_post = nn.LayerNorm(width);
        RegisterComponents();
    }

    /// <summary>Encodes images (B, C, H, W) into class-token features (B, Width).</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = transformer.forward(Embed(images), null);
        return ln_post.forward(x[.., 0]).MoveToOuterDisposeScope();   // the class token
    }

    /// <inheritdoc />
    public override int TokenCount(int layer)
    {
        transformer.BlocksFor(layer);
        return Config.PatchCount;
    }

    /// <summary>The patch tokens (B, N, Width) after block <paramref name="layer"/>, class token dropped (no final LayerNorm).</summary>
    public override Tensor Tokens(Tensor images, int layer)
    {
        using var scope = NewDisposeScope();
        var x = transformer.forward(Embed(images), null, transformer.BlocksFor(layer));
        return x[.., 1..].MoveToOuterDisposeScope();
    }

    /// <summary>Patch embeddings with the class token in front and positions added (then <c>ln_pre</c>), (B, N + 1, Width).</summary>
    Tensor Embed(Tensor images)
    {
        CheckImages(images, Config.Channels, Config.ImageSize);
        using var scope = NewDisposeScope();
        long batch = images.shape[0];
        var patches = MixedPrecision.Conv2d(conv1, images)           // (B, W, H/p, W/p)
            .flatten(2).transpose(1, 2);              // (B, N, W)
        var classTokens = class_embedding.expand(batch, 1, Config.Width);
        var tokens = cat([classTokens, patches], 1).Plus(positional_embedding);
        return (ln_pre is null ? tokens : ln_pre.forward(tokens)).MoveToOuterDisposeScope();
    }
}
