using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbench.Models.Clip;

/// <summary>Size of a <see cref="ConvImageEncoder"/>.</summary>
/// <param name="Channels">Image channels (3 for RGB).</param>
/// <param name="BaseWidth">Channels of the first block; each later block doubles them.</param>
/// <param name="Blocks">Number of conv blocks; each halves the resolution.</param>
public sealed record ConvImageEncoderConfig(int Channels = 3, int BaseWidth = 32, int Blocks = 3)
{
    /// <summary>Channels of the last block, which is also the feature width.</summary>
    public int OutputWidth => BaseWidth << (Blocks - 1);
}

/// <summary>
/// A small VGG-style CNN, the ablation for <see cref="VisionTransformer"/>: blocks of two 3×3 convolutions with
/// BatchNorm and GELU followed by 2×2 max pooling, then a global average pool into one feature vector per image.
/// Convolutions build in locality and translation equivariance, which a ViT must learn from data.
/// </summary>
public sealed class ConvImageEncoder : ImageEncoder
{
    readonly Sequential blocks;

    /// <summary>The size this encoder was built with.</summary>
    public ConvImageEncoderConfig Config { get; }

    /// <inheritdoc />
    public override int OutputWidth => Config.OutputWidth;

    /// <summary>Creates the encoder with freshly initialised weights.</summary>
    public ConvImageEncoder(ConvImageEncoderConfig config) : base(nameof(ConvImageEncoder))
    {
        if (config.Blocks < 1 || config.BaseWidth < 1)
            throw new ArgumentException($"ConvImageEncoder needs at least one block and a positive width; got {config}.");
        Config = config;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int inputs = config.Channels;
        for (int b = 0; b < config.Blocks; b++)
        {
            int outputs = config.BaseWidth << b;
            // Bias-free convolutions: the BatchNorm that follows has its own shift.
            layers.Add(($"conv{b}a", nn.Conv2d(inputs, outputs, kernel_size: 3, padding: 1, bias: false)));
            layers.Add(($"norm{b}a", nn.BatchNorm2d(outputs)));
            layers.Add(($"gelu{b}a", nn.GELU()));
            layers.Add(($"conv{b}b", nn.Conv2d(outputs, outputs, kernel_size: 3, padding: 1, bias: false)));
            layers.Add(($"norm{b}b", nn.BatchNorm2d(outputs)));
            layers.Add(($"gelu{b}b", nn.GELU()));
            layers.Add(($"pool{b}", nn.MaxPool2d(kernel_size: 2)));
            inputs = outputs;
        }
        blocks = nn.Sequential(layers);
        RegisterComponents();
    }

    /// <summary>Encodes images (B, C, H, W) into features (B, OutputWidth); H and W must be at least 2^Blocks.</summary>
    public override Tensor forward(Tensor images)
    {
        CheckImages(images, Config.Channels, null);
        using var maps = blocks.forward(images);     // (B, OutputWidth, H / 2^Blocks, W / 2^Blocks)
        return maps.mean([2L, 3L]);                  // global average pool
    }
}
