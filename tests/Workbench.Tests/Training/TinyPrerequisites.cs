using Workbench.Training.Clip;
using Workbench.Training.Language;
using Workbench.Training.Runs;

namespace Workbench.Tests.Training;

/// <summary>
/// Seconds-long prerequisite runs (a narrow CNN tower, a small language model) that the LLaVA and Flamingo end-to-end
/// tests stand on, trained once per test process into one temporary cache and then reused, as the methods share them.
/// </summary>
static class TinyPrerequisites
{
    /// <summary>The CLIP run whose tower the methods read.</summary>
    public static ClipRunConfig Vision { get; } = ClipRunConfig.For("shapes", Presets.Quick) with
    {
        ConvWidth = 16, BatchSize = 64, Steps = 80, WarmupSteps = 8, EvalEvery = 0, CheckpointEvery = 0,
        RetrievalSamples = 100, ValidationSamples = 50, LinearProbeSamples = 0, VocabularySamples = 500, Width = 64, Layers = 2,
    };

    /// <summary>
    /// The language model: 4 blocks, because a frozen 2-block model trained 150 or 400 steps left Flamingo's gates shut
    /// (its answers stayed at the blind control's) where this one lets a 150-step Flamingo run beat it.
    /// </summary>
    public static LanguageModelRunConfig Language { get; } = LanguageModelRunConfig.For("shapes", Presets.Quick) is var b ? b with
    {
        Width = 64, Layers = 4, Heads = 2, BatchSize = 32, VocabularySamples = 500, TestSamples = 20, ValidationSamples = 10,
        Trainer = b.Trainer with { Steps = 300, WarmupSteps = 10, EvalEvery = 0, CheckpointEvery = 0 },
    } : null!;

    static readonly Lazy<string> cache = new(() =>
    {
        string path = Path.Combine(Path.GetTempPath(), $"workbench-test-prerequisites-{Environment.ProcessId}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(path, recursive: true); } catch (IOException) { } };
        return path;
    });

    /// <summary>The shared cache folder (deleted when the test process exits).</summary>
    public static string Cache => cache.Value;
}
