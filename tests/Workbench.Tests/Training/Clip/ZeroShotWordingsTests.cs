using Workbench.Data;
using Workbench.Data.Fashion;
using Workbench.Runtime;
using Workbench.Tests.Data;
using Workbench.Training.Clip;

namespace Workbench.Tests.Training.Clip;

/// <summary>Zero-shot accuracy under other wordings of the class names, on real Fashion-MNIST (skipped where it is not installed).</summary>
public sealed class ZeroShotWordingsTests
{
    public ZeroShotWordingsTests()
    {
        TorchSharp.torch.set_num_threads(1);
    }

    [SkippableFact]
    public void EveryWordingMeetsEveryPromptSetAndOnlyTheOfficialNamesWarn()
    {
        Skip.If(FashionMnistLocator.TryLocate() is null, FashionMnistFixture.SkipReason);
        const int samples = 300;
        var config = ClipRunConfig.For("fashion-mnist", "quick") with
        {
            ConvWidth = 8, Width = 32, Layers = 1, Heads = 2, ConvFeatures = 32, VocabularySamples = 1000,
            RetrievalSamples = 50, ZeroShotSamples = samples, LinearProbeSamples = 0,
        };
        var run = ClipRun.Create(config);
        TorchSharp.torch.manual_seed(1);
        using var model = run.CreateModel();   // untrained: the scores are near chance, but must agree with the evaluation's
        model.eval();

        var report = ZeroShotWordings.Compare(run, model,
            [("built-in words", FashionClasses.Words), ("official names", FashionClasses.OfficialNames)],
            [("one prompt", ZeroShotWordings.SinglePrompt), ("ensemble", PromptTemplates.Default)], samples);

        Assert.Equal([("built-in words", "one prompt"), ("built-in words", "ensemble"), ("official names", "one prompt"), ("official names", "ensemble")],
                     report.Scores.Select(s => (s.ClassNames, s.Prompts)));
        Assert.All(report.Scores.Take(2), s => Assert.Equal("", s.UnknownWords));
        Assert.All(report.Scores.Skip(2), s => Assert.Equal("/ top trouser", s.UnknownWords));
        Assert.Equal(2, report.Warnings.Count);
        Assert.All(report.Warnings, w => Assert.Contains("\"trouser\" (class \"Trouser\")", w));

        // The built-in words with the default ensemble are what the run's own evaluation scores, by another code path.
        var evaluation = ClipEvaluation.Test(run, model);
        Assert.Equal(evaluation.Metrics["zero_shot_top1"], report.Scores[1].Top1, 9);
        Assert.Equal(evaluation.Metrics["zero_shot_top5"], report.Scores[1].Top5, 9);
    }

    [Fact]
    public void DataWithoutClassesIsAClearError()
    {
        var run = ClipRun.Create(ClipRunConfig.For("shapes", "quick") with { VocabularySamples = 50 });
        using var model = run.CreateModel();
        var e = Assert.Throws<ArgumentException>(() => ZeroShotWordings.Compare(run, model, [("words", ["a", "b"])], [("one", ZeroShotWordings.SinglePrompt)]));
        Assert.Contains("shapes has no classes", e.Message);
    }
}
