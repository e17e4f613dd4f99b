using TorchSharp;
using Workbench.Models.Clip;
using Workbench.Models.Language;
using Workbench.Models.Llava;
using static TorchSharp.torch;

namespace Workbench.Tests.Models.Llava;

public sealed class LlavaModelTests
{
    const int Image = 3;

    static LlavaModel Tiny(string projector = Projectors.Linear)
    {
        torch.manual_seed(4);
        var tower = new ConvImageEncoder(new ConvImageEncoderConfig(BaseWidth: 4, Blocks: 2, ImageSize: 16, FlattenWidth: 12));
        var language = new GptModel(new GptConfig(20, ContextLength: 40, Width: 16, Layers: 2, Heads: 2));
        return new LlavaModel(tower, language, projector, Image);
    }

    [Fact]
    public void TheTowerNeverTrainsAndAFrozenLanguageModelNeither()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        model.FreezeLanguageModel(true);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = torch.optim.AdamW(trainable, lr: 0.1);
        var features = model.VisionFeaturesOf(randn(2, 3, 16, 16));
        var tokens = tensor(new long[,] { { 1, Image, 4, 5, 2 }, { 1, Image, 6, 2, 0 } });
        var targets = tensor(new long[,] { { -100, -100, 5, 2, -100 }, { -100, -100, 2, -100, -100 } });
        model.Loss(tokens, targets, features).backward();
        optimizer.step();

        var named = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, value) in before)
        {
            bool projector = name.StartsWith("mm_projector.");
            Assert.True(projector != value.equal(named[name]).all().item<bool>(), $"{name}: {(projector ? "did not change" : "changed")}");
            if (!projector) Assert.True(named[name].grad is null, $"{name} received a gradient");
        }
        Assert.Equal(16, model.ImageTokens);   // the last feature map of a 16-pixel image, 4x4
    }

    [Fact]
    public void TheLossCountsOnlyTheSupervisedTextPositions()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny(Projectors.Mlp2xGelu);
        var features = model.VisionFeaturesOf(randn(1, 3, 16, 16));
        var tokens = tensor(new long[,] { { 1, Image, 4, 5, 2 } });
        var targets = tensor(new long[,] { { -100, 4, -100, 2, -100 } });   // supervise "4" after the image and "2" after "5"
        var loss = model.Loss(tokens, targets, features).item<float>();

        // By hand: the logits of the spliced sequence at the last image position (predicting 4) and at "5" (predicting 2).
        var logits = model.LanguageModel.Logits(model.InputEmbeddings(tokens, features))[0];
        int n = model.ImageTokens;
        var logProbs = nn.functional.log_softmax(logits, -1);
        double expected = -(logProbs[1 + n - 1, 4].item<float>() + logProbs[1 + n + 1, 2].item<float>()) / 2;
        Assert.Equal(expected, loss, 4);
    }

    [Fact]
    public void AnUnknownProjectorNamesTheChoices()
    {
        var e = Assert.Throws<ArgumentException>(() => Tiny("resampler"));
        Assert.Contains("linear", e.Message);
        Assert.Contains("mlp2x_gelu", e.Message);
    }
}
