using Workbench.Training.Clip;

namespace Workbench.Tests.Training.Clip;

public sealed class ClipRunConfigTests
{
    [Theory]
    [InlineData("shapes")]
    [InlineData("fashion-mnist")]
    public void SmokeTrainsTheQuickModelBrieflyOnSmallerEvaluations(string data)
    {
        var quick = ClipRunConfig.For(data, "quick");
        var smoke = ClipRunConfig.For(data, "smoke");

        // The same model and data handling: a smoke run exercises every code path a quick run does.
        Assert.Equal(quick with { BatchSize = 0, Steps = 0, WarmupSteps = 0, EvalEvery = 0, CheckpointEvery = 0, RetrievalSamples = 0,
                                  ValidationSamples = 0, ZeroShotSamples = 0, LinearProbeSamples = 0, VocabularySamples = 0, Preset = "" },
                     smoke with { BatchSize = 0, Steps = 0, WarmupSteps = 0, EvalEvery = 0, CheckpointEvery = 0, RetrievalSamples = 0,
                                  ValidationSamples = 0, ZeroShotSamples = 0, LinearProbeSamples = 0, VocabularySamples = 0, Preset = "" });
        Assert.Equal("smoke", smoke.Preset);
        Assert.InRange(smoke.Steps, 2, 10);
        Assert.InRange(smoke.WarmupSteps, 1, smoke.Steps - 1);
        Assert.True(smoke.BatchSize <= quick.BatchSize);
        Assert.True(smoke.RetrievalSamples < quick.RetrievalSamples);
        Assert.True(smoke.ValidationSamples < quick.ValidationSamples);
        Assert.True(smoke.ZeroShotSamples is > 0 && smoke.ZeroShotSamples < (quick.ZeroShotSamples ?? int.MaxValue));
        Assert.True(smoke.LinearProbeSamples > 0 == quick.LinearProbeSamples > 0, "a probe in quick is a probe in smoke");
        Assert.True(smoke.LinearProbeSamples <= quick.LinearProbeSamples);
        Assert.True(smoke.VocabularySamples < quick.VocabularySamples);
    }

    [Fact]
    public void AnUnknownPresetNamesTheThreeThereAre()
    {
        var e = Assert.Throws<ArgumentException>(() => ClipRunConfig.For("shapes", "tiny"));
        Assert.Contains("'tiny'", e.Message);
        Assert.Contains("smoke, quick or full", e.Message);
    }

    [Theory]
    [InlineData("shapes")]
    [InlineData("fashion-scenes")]
    public void TheVisionLanguageTowerOfGeneratedScenesTrainsWithHardNegativesOnTheFullSchedule(string data)
    {
        // The text Transformer only teaches the tower: a narrow one, whatever the preset.
        var quick = ClipRunConfig.TowerFor(data, "quick");
        Assert.Equal(ClipRunConfig.For(data, "full") with { Preset = "quick", HardNegatives = true, Width = 64, Layers = 2 }, quick);
        Assert.Equal(ClipRunConfig.For(data, "full") with { HardNegatives = true, Width = 64, Layers = 2 }, ClipRunConfig.TowerFor(data, "full"));
        Assert.Equal(ClipRunConfig.For(data, "smoke") with { HardNegatives = true, Width = 64, Layers = 2 }, ClipRunConfig.TowerFor(data, "smoke"));
        Assert.Equal(quick, Workbench.Training.Llava.LlavaRunConfig.For(data, "quick").Vision);
        Assert.Equal(quick, Workbench.Training.Flamingo.FlamingoRunConfig.For(data, "quick").Vision);
    }

    [Theory]
    [InlineData("fashion-mnist")]
    [InlineData("/data/my-captions.csv")]
    public void DataThatCannotWordAChangedSceneKeepsThePlainPresetAsItsTower(string data) =>
        Assert.Equal(ClipRunConfig.For(data, "quick"), ClipRunConfig.TowerFor(data, "quick"));
}
