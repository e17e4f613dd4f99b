using TorchSharp;
using Workbench.Models.Clip;
using Workbench.Models.Flamingo;
using Workbench.Models.Language;
using Workbench.Models.Llava;
using Workbench.Training.Clip;
using Workbench.Training.Flamingo;
using Workbench.Training.Language;
using Workbench.Training.Llava;
using static TorchSharp.torch;

namespace Workbench.Tests.Runtime;

/// <summary>
/// GPU readiness without a GPU, as far as LibTorch allows: every model, built at its <c>full</c> preset's size, moves
/// whole to another device, every parameter and buffer with it. The other device is <c>meta</c> (shapes, no values),
/// the only one a CPU-only LibTorch has. This found that TorchSharp 0.107 cannot move a <c>ModuleDict</c> (Flamingo's
/// gated blocks were one; see <see cref="GatedBlocks"/>): a CUDA run would have failed on its first line.
/// <para>
/// Running whole training steps on meta, as PyTorch users do, is not possible from .NET: LibTorch's C++ library lacks
/// meta kernels for operations these models start with (<c>index_select</c> behind embedding lookups, convolutions,
/// <c>native_layer_norm</c>, <c>where</c>); PyTorch registers those in Python. docs/benchmarks.md lists the probe.
/// </para>
/// </summary>
public sealed class DeviceMoveTests
{
    static readonly Device Meta = torch.device("meta");

    static void AssertWhollyOnMeta(nn.Module model)
    {
        model.to(Meta);
        Assert.All(model.named_parameters(), p => Assert.True(p.parameter.device_type == DeviceType.META, $"{p.name} stayed on {p.parameter.device}"));
        Assert.All(model.named_buffers(), b => Assert.True(b.buffer.device_type == DeviceType.META, $"buffer {b.name} stayed on {b.buffer.device}"));
    }

    [Fact]
    public void ClipAtItsFullSizeMovesWhole()
    {
        foreach (var encoder in new[] { ImageEncoders.Cnn, ImageEncoders.Vit })
            AssertWhollyOnMeta(ClipRun.Create(ClipRunConfig.For("shapes", "full") with { ImageEncoder = encoder }).CreateModel());
    }

    [Fact]
    public void TheLanguageModelAtItsFullSizeMovesWhole() =>
        AssertWhollyOnMeta(LanguageModelRun.Create(LanguageModelRunConfig.For("shapes", "full")).CreateModel());

    [Fact]
    public void LlavaAtItsFullSizeMovesWhole()
    {
        var config = LlavaRunConfig.For("shapes", "full");
        var (tower, language, tokenizer) = FreshTowerAndLanguageModel(config.Vision, config.Language);
        AssertWhollyOnMeta(new LlavaModel(tower, language, config.Projector, tokenizer.ImageId!.Value, config.Features, config.VisionLayer, config.PooledTokens));
    }

    [Fact]
    public void FlamingoAtItsFullSizeMovesWhole()
    {
        var config = FlamingoRunConfig.For("shapes", "full");
        var (tower, language, tokenizer) = FreshTowerAndLanguageModel(config.Vision, config.Language);
        var model = new FlamingoModel(tower, language, tokenizer.ImageId!.Value, tokenizer.EndOfChunkId!.Value, config.CrossAttentionEvery,
            config.Latents, config.ResamplerDepth, config.VisionLayer, config.Features, config.PatchPositions);
        AssertWhollyOnMeta(model);
        // The blocks found by language-model block are the moved ones.
        Assert.All(model.CrossAttentionLayers, l => Assert.Equal(DeviceType.META, l.Layer.GateParameters.First().device_type));
    }

    /// <summary>The full preset's tower and language model, untrained (their weights do not matter here).</summary>
    static (ImageEncoder Tower, GptModel Language, Workbench.Text.ITextTokenizer Tokenizer) FreshTowerAndLanguageModel(ClipRunConfig vision, LanguageModelRunConfig language)
    {
        var languageRun = LanguageModelRun.Create(language);
        return (ClipRun.Create(vision).CreateModel().ImageEncoder, languageRun.CreateModel(), languageRun.Tokenizer);
    }
}
