using System.Text.Json;
using Workbench.Training;
using Workbench.Training.Flamingo;
using Workbench.Training.Runs;

namespace Workbench.Tests.Training.Flamingo;

/// <summary>Flamingo end to end on ShapesWorld, small enough for CI, over the tiny prerequisites LLaVA's test uses too.</summary>
[Collection(GlobalRandomState.Name)]
public sealed class FlamingoRunTests
{
    static FlamingoRunConfig Tiny(long steps = 150)
    {
        var config = FlamingoRunConfig.For("shapes", Presets.Quick);
        return config with
        {
            // The pooled feature (one token per image, as in LLaVA's test) keeps the seconds-long run short.
            Features = Workbench.Models.VisionFeatures.Pooled,
            Vision = TinyPrerequisites.Vision, Language = TinyPrerequisites.Language, Latents = 4, ResamplerDepth = 1,
            BatchSize = 16, TrainSamples = 2000, TestSamples = 60, ValidationSamples = 20, FewShotEpisodes = 20,
            Trainer = config.Trainer with { Steps = steps, LearningRate = 2e-3, WarmupSteps = 10, EvalEvery = 0, CheckpointEvery = 0 },
        };
    }

    [Fact]
    public void ASecondsLongRunOpensTheGatesAndAnswersBetterThanWithAnotherScenesImage()
    {
        using var output = new TempFolder();
        var run = FlamingoRun.Create(Tiny(), prerequisites: TinyPrerequisites.Cache);
        var result = run.Fit(output.Path);
        var m = result.Report!.Metrics;
        foreach (var key in new[] { "vqa_exact_match", "vqa_exact_match_unseen", "vqa_exact_match_blind", "majority_baseline",
                     "vqa_exact_match_count", "caption_token_accuracy", "few_shot_0", "few_shot_1", "few_shot_2", "few_shot_4" })
            Assert.True(m.ContainsKey(key), $"metrics.json lacks {key}");
        Assert.True(m["vqa_exact_match"] > m["vqa_exact_match_blind"] + 0.03,
            $"exact match {m["vqa_exact_match"]:F3} vs another scene's image {m["vqa_exact_match_blind"]:F3}");
        var gates = result.Model.CrossAttentionLayers.Select(l => Math.Abs(l.Layer.Gates.Attention)).ToList();
        Assert.True(gates.Max() > 0.05, $"the cross-attention gates stayed shut: |tanh α| = {string.Join(", ", gates.Select(g => g.ToString("F3")))}");

        // Every step logged every gate; the run folder reopens with its model and its prerequisites.
        var last = result.History[^1].Metrics!;
        Assert.Equal(result.Model.CrossAttentionLayers.Count * 2, last.Keys.Count(k => k.StartsWith("gate_")));
        var (reopened, model) = FlamingoRun.Load(output.Path);
        Assert.Equal(run.Config, reopened.Config);
        Assert.Equal(run.Prerequisites, reopened.Prerequisites);
        Assert.Equal(result.Model.CrossAttentionLayers.Select(l => l.Layer.Gates), model.CrossAttentionLayers.Select(l => l.Layer.Gates));
    }

    [Fact]
    public void AKilledRunResumesWithTheSameDocumentsAndLosses()
    {
        using var whole = new TempFolder();
        using var resumed = new TempFolder();
        var config = Tiny(steps: 6) with { TestSamples = 10, FewShotEpisodes = 2 };
        config = config with { Trainer = config.Trainer with { CheckpointEvery = 3, WarmupSteps = 1 } };
        var run = FlamingoRun.Create(config, prerequisites: TinyPrerequisites.Cache);
        var uninterrupted = run.Fit(whole.Path).History.ToDictionary(r => r.Step, r => r.Loss);

        using var kill = new CancellationTokenSource();
        var first = run.Fit(resumed.Path, onStep: r => { if (r.Step == 4) kill.Cancel(); }, cancel: kill.Token);
        Assert.Null(first.Report);                                       // killed after step 4, before its end
        var rest = run.Fit(resumed.Path, resume: true).History.ToDictionary(r => r.Step, r => r.Loss);
        Assert.Contains(6, rest.Keys);
        Assert.Contains(5, rest.Keys);
        foreach (var (step, loss) in rest) Assert.True(uninterrupted[step] == loss, $"step {step}: {loss} after resuming, {uninterrupted[step]} uninterrupted");
    }

    [Fact]
    public void TheLanguageModelTrainsOnlyInTheAblationThatAsksForIt()
    {
        foreach (bool tune in new[] { false, true })
        {
            var run = FlamingoRun.Create(Tiny() with { TuneLanguageModel = tune }, prerequisites: TinyPrerequisites.Cache);
            using var model = run.CreateModel();
            Assert.All(model.LanguageModel.parameters(), p => Assert.Equal(tune, p.requires_grad));
            Assert.All(model.VisionTower.parameters(), p => Assert.False(p.requires_grad));
            Assert.Equal(tune, JsonSerializer.Serialize(run.Config).Contains("TuneLanguageModel"));   // absent when off: older runs keep their hashes
        }
    }

    [Fact]
    public void DocumentNIsAPureFunctionOfTheSeedAndN()
    {
        var run = FlamingoRun.Create(Tiny(), prerequisites: TinyPrerequisites.Cache);
        string Describe(long n) => run.TrainingDocument(n) is var (d, images) ? $"{string.Join(",", images)}|{d.ToText()}" : "";
        var forwards = Enumerable.Range(0, 8).Select(n => Describe(n)).ToList();
        var backwards = Enumerable.Range(0, 8).Reverse().Select(n => Describe(n)).Reverse().ToList();
        Assert.Equal(forwards, backwards);
        Assert.Equal(8, forwards.Distinct().Count());
        Assert.All(forwards, d => Assert.Equal(3, d.Split("<image>").Length - 1));
    }

    [Fact]
    public void AShareOfDocumentsAnswersOneUnwrittenKindOfQuestionAboutScenesOfOneObject()
    {
        // 300 training scenes: about 100 of one object, enough for the documents, and a short pass to find them.
        var run = FlamingoRun.Create(Tiny() with { ImplicitTaskFraction = 0.5, TrainSamples = 300 }, prerequisites: TinyPrerequisites.Cache);
        var documents = Enumerable.Range(0, 40).Select(n => run.TrainingDocument(n)).ToList();
        var bare = documents.Where(d => !d.Document.ToText().Contains("question") && !d.Document.ToText().Contains("caption :")).ToList();
        Assert.InRange(bare.Count, 10, 30);
        var selectors = new Dictionary<string, Func<Workbench.Data.SceneObject, string>> { ["colour"] = o => o.Color, ["shape"] = o => o.Kind, ["where"] = o => o.Place };
        var kindsUsed = new HashSet<string>();
        foreach (var (document, images) in bare)
        {
            var objects = images.Select(i => run.Train.Get(i).Scene!.Objects).ToList();
            Assert.All(objects, o => Assert.Single(o));
            var answers = System.Text.RegularExpressions.Regex.Matches(document.ToText(), "<eoc> answer : (.+?) <eos>").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(objects.Select(o => o[0]).Count(), answers.Count);
            // One attribute of the scenes' objects, the same for the whole document, is every answer.
            var kinds = selectors.Where(s => objects.Zip(answers).All(p => s.Value(p.First[0]) == p.Second)).Select(s => s.Key).ToList();
            Assert.NotEmpty(kinds);
            kindsUsed.UnionWith(kinds);
        }
        Assert.True(kindsUsed.Count >= 2, $"kinds: {string.Join(", ", kindsUsed)}");
        // At 0 no document is one (and run.json does not name it, so runs from before it keep their hashes).
        var plain = FlamingoRun.Create(Tiny() with { ImplicitTaskFraction = 0, TrainSamples = 300 }, prerequisites: TinyPrerequisites.Cache);
        Assert.All(Enumerable.Range(0, 40), n => Assert.DoesNotContain("<eoc> answer :", plain.TrainingDocument(n).Document.ToText()));
        Assert.DoesNotContain("ImplicitTaskFraction", JsonSerializer.Serialize(plain.Config));
    }
}
