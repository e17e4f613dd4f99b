using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbench.Models.Clip;

/// <summary>Size of a <see cref="ConvImageEncoder"/>.</summary>
/// <param name="Channels">Image channels (3 for RGB).</param>
/// <param name="BaseWidth">Channels of the first block; each later block doubles them.</param>
/// <param name="Blocks">Number of conv blocks; each halves the resolution.</param>
/// <param name="ConvsPerBlock">3×3 convolutions per block (1: the classic small CNN; 2: VGG-style).</param>
/// <param name="BatchNorm">BatchNorm after each convolution (steadier, but costs CPU time).</param>
/// <param name="ImageSize">When set, the last feature map is flattened into a linear layer of <see cref="FlattenWidth"/>
/// outputs, which keeps where things are; when null, a global average pool (position-blind, any image size).</param>
/// <param name="FlattenWidth">Features after the flattening layer.</param>
public sealed record ConvImageEncoderConfig(int Channels = 3, int BaseWidth = 32, int Blocks = 2, int ConvsPerBlock = 1,
    bool BatchNorm = false, int? ImageSize = null, int FlattenWidth = 256)
{
    /// <summary>Channels of the last block.</summary>
    public int LastChannels => BaseWidth << (Blocks - 1);

    /// <summary>The feature width the encoder outputs.</summary>
    public int OutputWidth => ImageSize is null ? LastChannels : FlattenWidth;
}

/// <summary>
/// A small CNN, the alternative to <see cref="VisionTransformer"/> and the one the workbench's run presets train:
/// blocks of 3×3 convolutions (optionally with BatchNorm) and ReLU followed by 2×2 max pooling, then either a
/// flattening linear layer (position-aware) or a global average pool. Convolutions build in locality and translation
/// equivariance, which a ViT must learn from data; on a CPU they are also the cheaper encoder for small images.
/// </summary>
public sealed class ConvImageEncoder : ImageEncoder
{
    readonly Sequential blocks;
    readonly Linear? head;

    /// <summary>The size this encoder was built with.</summary>
    public ConvImageEncoderConfig Config { get; }

    /// <inheritdoc />
    public override int OutputWidth => Config.OutputWidth;

    /// <summary>Builds the encoder.</summary>
    public ConvImageEncoder(ConvImageEncoderConfig config) : base(nameof(ConvImageEncoder))
    {
        if (config.Blocks < 1 || config.BaseWidth < 1 || config.ConvsPerBlock < 1)
            throw new ArgumentException($"ConvImageEncoder needs at least one block and one convolution per block, and a positive width; got {config}.");
        Config = config;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int inputs = config.Channels;
        for (int b = 0; b < config.Blocks; b++)
        {
            int outputs = config.BaseWidth << b;
            for (int c = 0; c < config.ConvsPerBlock; c++)
            {
                // Without BatchNorm the convolution needs its own bias; with it, BatchNorm's shift does that job.
                layers.Add(($"conv{b}_{c}", nn.Conv2d(c == 0 ? inputs : outputs, outputs, kernel_size: 3, padding: 1, bias: !config.BatchNorm)));
                if (config.BatchNorm) layers.Add(($"norm{b}_{c}", nn.BatchNorm2d(outputs)));
                layers.Add(($"relu{b}_{c}", nn.ReLU()));
            }
            layers.Add(($"pool{b}", nn.MaxPool2d(kernel_size: 2)));
            inputs = outputs;
        }
        blocks = nn.Sequential(layers);
        if (config.ImageSize is int size)
        {
            int side = size >> config.Blocks;
            if (side < 1) throw new ArgumentException($"{config.Blocks} blocks halve a {size}-pixel image to nothing.");
            head = nn.Linear(config.LastChannels * side * side, config.FlattenWidth);
        }
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor images)
    {
        CheckImages(images, Config.Channels, Config.ImageSize);
        using var maps = blocks.forward(images);     // (B, LastChannels, H / 2^Blocks, W / 2^Blocks)
        return head is null ? maps.mean([2L, 3L]) : head.forward(maps.flatten(1));
    }
}
