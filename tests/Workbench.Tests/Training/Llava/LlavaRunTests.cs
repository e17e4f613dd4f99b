using Workbench.Models;
using Workbench.Text;
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
            Features = VisionFeatures.Pooled, PooledTokens = 4,
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

    /// <summary>A language model over GPT-2's tokenizer, 50,260 ids, as a pretrained GPT-2 will have: a tiny width keeps it seconds long.</summary>
    static readonly LanguageModelRunConfig Gpt2Language = LanguageModelRunConfig.For("shapes", Presets.Smoke) is var c ? c with
    {
        Width = 16, Layers = 1, Heads = 1, ContextLength = 96, BatchSize = 4, TestSamples = 3, ValidationSamples = 2,
        Trainer = c.Trainer with { Steps = 3, WarmupSteps = 1 },
    } : null!;

    /// <summary>A two-step tower: what is tested is the text side, and the shared 80-step tower would take a minute alone.</summary>
    static readonly ClipRunConfig TwoStepVision = TinyPrerequisites.Vision with
    {
        Steps = 2, WarmupSteps = 1, BatchSize = 16, RetrievalSamples = 20, ValidationSamples = 20, VocabularySamples = 100,
    };

    /// <summary>The pipeline over GPT-2's tokenizer: the language model trains, then LLaVA stands on it, trains, evaluates and reopens.</summary>
    [Fact]
    public void ALlavaRunOverAGpt2TokenizedLanguageModelTrainsEvaluatesAndReopens()
    {
        using var languageRun = new TempFolder();
        using var output = new TempFolder();
        var language = LanguageModelRun.Create(Gpt2Language, tokenizer: Gpt2Tokenizer.Create()).Fit(languageRun.Path);
        Assert.Equal(50260, language.Model.Config.VocabularySize);
        Assert.True(double.IsFinite(language.Report!.Metrics["perplexity"]));
        var (reopenedLanguage, _) = LanguageModelRun.Load(languageRun.Path);
        Assert.IsType<Gpt2Tokenizer>(reopenedLanguage.Tokenizer);

        var config = LlavaRunConfig.For("shapes", Presets.Smoke, stage: 1) is var l ? l with
        {
            Features = VisionFeatures.Pooled, PooledTokens = 2, Vision = TwoStepVision, Language = Gpt2Language,
            BatchSize = 4, TestSamples = 3, ValidationSamples = 2, Trainer = l.Trainer with { Steps = 3, WarmupSteps = 1 },
        } : null!;
        var run = LlavaRun.Create(config, prerequisites: TinyPrerequisites.Cache, languageRun: languageRun.Path);
        Assert.IsType<Gpt2Tokenizer>(run.Tokenizer);
        // A training sequence is GPT-2's ids around the image id, which LLaVA replaces with the projected image tokens.
        var sequence = run.TrainingSequence(run.Train.Get(0), new Random(0), imageTokens: 2);
        Assert.Equal([50256, 220, 50257, 220, 50258], sequence.Ids[..5]);
        Assert.Equal(50256, sequence.Ids[^1]);

        var result = run.Fit(output.Path);
        var metrics = result.Report!.Metrics;
        foreach (var key in new[] { "vqa_exact_match", "vqa_exact_match_blind", "caption_token_accuracy" })
            Assert.True(metrics.ContainsKey(key) && double.IsFinite(metrics[key]), $"{key}: missing or not finite");

        var (reopened, model) = LlavaRun.Load(output.Path);
        Assert.IsType<Gpt2Tokenizer>(reopened.Tokenizer);
        Assert.Equal(50257, model.ImageTokenId);
        Assert.Equal(metrics["caption_token_accuracy"], reopened.Evaluate(model).Metrics["caption_token_accuracy"], 6);
    }
}
