using System.Text.Json;
using Workbench.Text;
using Workbench.Training;
using Workbench.Training.Language;
using Workbench.Training.Runs;

namespace Workbench.Tests.Training.Language;

[Collection(GlobalRandomState.Name)]
public sealed class LanguageModelRunTests
{
    static LanguageModelRunConfig Tiny(long steps) => LanguageModelRunConfig.For("shapes", Presets.Quick) with
    {
        Width = 32, Layers = 2, Heads = 2, ContextLength = 96, BatchSize = 16, VocabularySamples = 300, TestSamples = 20, ValidationSamples = 10,
        Trainer = LanguageModelRunConfig.For("shapes", Presets.Quick).Trainer with { Steps = steps, WarmupSteps = 2, EvalEvery = 0, CheckpointEvery = 4 },
    };

    [Fact]
    public void TrainingSequencesAreAPureFunctionOfSeedStepAndRow()
    {
        var run = LanguageModelRun.Create(Tiny(4));
        var again = LanguageModelRun.Create(Tiny(4));
        Assert.Equal(run.TrainingSequence(3, 0, 5).Ids, again.TrainingSequence(3, 0, 5).Ids);
        Assert.NotEqual(run.TrainingSequence(3, 0, 5).Ids, run.TrainingSequence(4, 0, 5).Ids);
        // The text reads as the conversation format says, and every word is in the vocabulary.
        string text = run.Tokenizer.Decode(run.TrainingSequence(3, 0, 5).Ids);
        Assert.StartsWith(SpecialTokens.Begin, text);
        Assert.Contains(ConversationFormat.EndOfContext, text);
        Assert.DoesNotContain(SpecialTokens.Unknown, text);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CaptionRequestsAskForTheContextWordForWordOrForAnotherParaphrase(bool repeat)
    {
        var run = LanguageModelRun.Create(Tiny(4) with { CaptionRequestFraction = 1.0, CaptionRequestsRepeat = repeat });
        int same = 0;
        for (int row = 0; row < 20; row++)
        {
            string text = run.Tokenizer.Decode(run.TrainingSequence(1, 0, row).Ids);
            var parts = text.Split($" {ConversationFormat.EndOfContext} caption: ");
            Assert.True(parts.Length == 2, text);
            string context = parts[0][SpecialTokens.Begin.Length..].Trim(), target = parts[1][..^SpecialTokens.End.Length].Trim();
            if (context == target) same++;
        }
        // Repeating, every target is its context; paraphrasing, a target is its context only when the draw picks the same one of five.
        if (repeat) Assert.Equal(20, same);
        else Assert.InRange(same, 0, 12);
    }

    [Fact]
    public void ARunWritesTheSharedRunFolderAndResumesWhereItStopped()
    {
        using var whole = new TempFolder();
        using var parts = new TempFolder();
        var result = LanguageModelRun.Create(Tiny(8)).Fit(whole.Path);
        var metrics = result.Report!.Metrics;
        foreach (var key in new[] { "perplexity", "answer_with_caption", "answer_without_caption", "majority_baseline" })
            Assert.True(metrics.ContainsKey(key), $"metrics.json lacks {key}");
        Assert.True(metrics["perplexity"] > 1 && double.IsFinite(metrics["perplexity"]));
        var folder = new RunFolder(whole.Path);
        Assert.Equal("lm", folder.Method);
        Assert.Equal(metrics, folder.ReadMetrics());

        using (var stop = new CancellationTokenSource())
            Assert.Null(LanguageModelRun.Create(Tiny(8)).Fit(parts.Path, onStep: r => { if (r.Step == 4) stop.Cancel(); }, cancel: stop.Token).Report);
        LanguageModelRun.Create(Tiny(8)).Fit(parts.Path, resume: true);
        Assert.Equal(Losses(whole.Path), Losses(parts.Path));

        var (_, loaded) = LanguageModelRun.Load(whole.Path);
        Assert.Equal(metrics["perplexity"], LanguageModelRun.Load(whole.Path).Run.Evaluate(loaded).Metrics["perplexity"], 4);
    }

    static List<double> Losses(string runDir) =>
        File.ReadLines(Path.Combine(runDir, MetricsLog.FileName)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToList();
}
