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
    readonly ModuleList<Sequential> blocks;
    readonly Linear? head;

    /// <summary>The size this encoder was built with.</summary>
    public ConvImageEncoderConfig Config { get; }

    /// <inheritdoc />
    public override int OutputWidth => Config.OutputWidth;

    /// <inheritdoc />
    public override int TokenWidth => Config.LastChannels;

    /// <summary>The last block's feature map: its cells still know where they are, and have seen the most.</summary>
    public override int DefaultTokenLayer => -1;

    /// <summary>Builds the encoder.</summary>
    public ConvImageEncoder(ConvImageEncoderConfig config) : base(nameof(ConvImageEncoder))
    {
        if (config.Blocks < 1 || config.BaseWidth < 1 || config.ConvsPerBlock < 1)
            throw new ArgumentException($"ConvImageEncoder needs at least one block and one convolution per block, and a positive width; got {config}.");
        Config = config;
        var stages = new List<Sequential>();
        int inputs = config.Channels;
        for (int b = 0; b < config.Blocks; b++)
        {
            int outputs = config.BaseWidth << b;
            var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int c = 0; c < config.ConvsPerBlock; c++)
            {
                // Without BatchNorm the convolution needs its own bias; with it, BatchNorm's shift does that job.
                layers.Add(($"conv{c}", nn.Conv2d(c == 0 ? inputs : outputs, outputs, kernel_size: 3, padding: 1, bias: !config.BatchNorm)));
                if (config.BatchNorm) layers.Add(($"norm{c}", nn.BatchNorm2d(outputs)));
                layers.Add(($"relu{c}", nn.ReLU()));
            }
            layers.Add(("pool", nn.MaxPool2d(kernel_size: 2)));
            stages.Add(nn.Sequential(layers));
            inputs = outputs;
        }
        blocks = nn.ModuleList(stages.ToArray());
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
        using var maps = FeatureMap(images, Config.Blocks);     // (B, LastChannels, H / 2^Blocks, W / 2^Blocks)
        return head is null ? maps.mean([2L, 3L]) : MixedPrecision.Linear(head, maps.flatten(1));
    }

    /// <inheritdoc />
    public override int TokenCount(int layer)
    {
        int size = Config.ImageSize ?? throw new InvalidOperationException("ConvImageEncoder: the token count needs a fixed ImageSize.");
        int side = size >> BlocksFor(layer);
        return side * side;
    }

    /// <summary>The cells of block <paramref name="layer"/>'s feature map (1..Blocks; −1 the last), (B, H'·W', channels).</summary>
    public override Tensor Tokens(Tensor images, int layer)
    {
        int count = BlocksFor(layer);
        if (count != Config.Blocks)
            throw new ArgumentException($"ConvImageEncoder tokens come from the last block (layer -1 or {Config.Blocks}), whose width is TokenWidth; got layer {layer}.");
        using var maps = FeatureMap(images, count);
        return maps.flatten(2).transpose(1, 2);
    }

    Tensor FeatureMap(Tensor images, int count)
    {
        CheckImages(images, Config.Channels, Config.ImageSize);
        using var scope = NewDisposeScope();
        var x = images.alias();
        for (int b = 0; b < count; b++) x = MixedPrecision.Forward(blocks[b], x);
        return x.MoveToOuterDisposeScope();
    }

    int BlocksFor(int layer)
    {
        int count = layer < 0 ? Config.Blocks + 1 + layer : layer;
        if (count < 1 || count > Config.Blocks)
            throw new ArgumentException($"ConvImageEncoder has blocks 1..{Config.Blocks} (or -1..-{Config.Blocks}); got layer {layer}.");
        return count;
    }
}
