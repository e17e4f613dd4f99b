using Workbench.Training.Clip;
using Workbench.Training.Language;
using Workbench.Training.Llava;
using Workbench.Training.Runs;

namespace Workbench.Tests.Training.Llava;

/// <summary>LLaVA end to end on ShapesWorld, small enough for CI, with its prerequisites trained into a temporary cache.</summary>
[Collection(GlobalRandomState.Name)]
public sealed class LlavaRunTests
{
    /// <summary>Seconds-long stages over the tiny prerequisites the Flamingo test shares.</summary>
    static LlavaRunConfig Tiny(int stage = 2, long steps = 120)
    {
        var config = LlavaRunConfig.For("shapes", Presets.Quick, stage);
        return config with
        {
            // The pooled feature, split into 4 tokens: 4 image tokens instead of 64 keep the seconds-long run short.
            Features = Workbench.Models.VisionFeatures.Pooled, PooledTokens = 4,
            Vision = TinyPrerequisites.Vision, Language = TinyPrerequisites.Language, BatchSize = 32, TestSamples = 60, ValidationSamples = 20, StageOneSteps = 40,
            Trainer = config.Trainer with { Steps = steps, WarmupSteps = 10, EvalEvery = 0, CheckpointEvery = 0 },
        };
    }

    [Fact]
    public void ASecondsLongRunAnswersBetterThanWithAnotherScenesImage()
    {
        using var output = new TempFolder();
        string cache = TinyPrerequisites.Cache;
        var run = LlavaRun.Create(Tiny(), prerequisites: cache);
        Assert.NotNull(run.StageOneRun);
        var result = run.Fit(output.Path);
        var m = result.Report!.Metrics;
        foreach (var key in new[] { "vqa_exact_match", "vqa_exact_match_unseen", "vqa_exact_match_blind", "majority_baseline", "vqa_exact_match_count" })
            Assert.True(m.ContainsKey(key), $"metrics.json lacks {key}");
        Assert.True(m["vqa_exact_match"] > m["vqa_exact_match_blind"] + 0.03,
            $"exact match {m["vqa_exact_match"]:F3} vs another scene's image {m["vqa_exact_match_blind"]:F3}");

        // A second run with the same prerequisites reuses them: nothing new appears in the cache.
        var before = Directory.GetDirectories(cache).Order().ToList();
        LlavaRun.Create(Tiny(), prerequisites: cache);
        Assert.Equal(before, Directory.GetDirectories(cache).Order().ToList());

        // The run folder reopens with its model.
        var (reopened, model) = LlavaRun.Load(output.Path);
        Assert.Equal(run.Config, reopened.Config);
        Assert.Equal(result.Model.ImageTokens, model.ImageTokens);
    }
}
