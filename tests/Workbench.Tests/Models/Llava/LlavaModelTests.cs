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

    [Fact]
    public void AnImageGridAveragesEachBlockOfThePatchMap()
    {
        using var scope = NewDisposeScope();
        // A 4x4 map of one channel holding 0..15 row by row, pooled to 2x2: each output is the mean of a 2x2 block.
        var tokens = arange(16, dtype: ScalarType.Float32).reshape(1, 16, 1);
        var pooled = LlavaModel.GridPool(tokens, side: 4, grid: 2).reshape(4);
        float[] expected = [(0 + 1 + 4 + 5) / 4f, (2 + 3 + 6 + 7) / 4f, (8 + 9 + 12 + 13) / 4f, (10 + 11 + 14 + 15) / 4f];
        Assert.Equal(expected, pooled.data<float>().ToArray());

        torch.manual_seed(4);
        var tower = new ConvImageEncoder(new ConvImageEncoderConfig(BaseWidth: 4, Blocks: 2, ImageSize: 16, FlattenWidth: 12));
        using var model = new LlavaModel(tower, new GptModel(new GptConfig(20, ContextLength: 40, Width: 16, Layers: 2, Heads: 2)), Projectors.Linear, Image, imageGrid: 2);
        Assert.Equal(16, tower.TokenCount(tower.DefaultTokenLayer));
        Assert.Equal(4, model.ImageTokens);
        var features = model.VisionFeaturesOf(randn(3, 3, 16, 16));
        Assert.Equal([3L, 4, 16], model.Project(features).shape);
        var ids = tensor(new long[] { 1, Image, 2 }).unsqueeze(0);
        Assert.Equal([1L, 3 - 1 + 4, 16], model.InputEmbeddings(ids, features[..1]).shape);
    }

    [Fact]
    public void ImageTokensThatFillTheLanguageModelsContextAreAClearError()
    {
        torch.manual_seed(4);
        var tower = new ConvImageEncoder(new ConvImageEncoderConfig(BaseWidth: 4, Blocks: 2, ImageSize: 16, FlattenWidth: 12));   // 16 tokens
        var e = Assert.Throws<ArgumentException>(() => new LlavaModel(tower, new GptModel(new GptConfig(20, ContextLength: 16, Width: 16, Layers: 1, Heads: 2)), Projectors.Linear, Image));
        Assert.Contains("ImageGrid", e.Message);
        Assert.Throws<ArgumentException>(() => new LlavaModel(tower, new GptModel(new GptConfig(20, ContextLength: 40, Width: 16, Layers: 1, Heads: 2)), Projectors.Linear, Image, imageGrid: 5));
    }

    [Fact]
    public void FashionScenesPresetsPoolTheirLargerMapAndShapesPresetsKeepEveryToken()
    {
        Assert.Equal(7, Workbench.Training.Llava.LlavaRunConfig.For("fashion-scenes", "quick").ImageGrid);
        Assert.Null(Workbench.Training.Llava.LlavaRunConfig.For("shapes", "quick").ImageGrid);
    }
}
