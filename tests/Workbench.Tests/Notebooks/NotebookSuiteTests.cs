namespace Workbench.Tests.Notebooks;

/// <summary>
/// Every notebook under notebooks/ runs top to bottom with the quick preset, as workshop laptops run it, or with the
/// preset its metadata declares for tests (<see cref="NotebookRuns.PresetOf"/>) where quick trains for many minutes.
/// </summary>
public sealed class NotebookSuiteTests
{
    public static TheoryData<string> Notebooks() => NotebookRuns.AsTheoryData();

    [Fact]
    public void TheNotebooksWhoseQuickPresetTrainsForMinutesAreTestedWithSmoke()
    {
        // The quick language model alone trains for over ten minutes on CI's two cores; LLaVA stands on it. Quick CLIP
        // (two training runs and an eight-run ablation) took six of CI's fifteen minutes; ClipRunTests show it learns.
        Assert.Equal("smoke", NotebookRuns.PresetOf("02-clip.ipynb"));
        Assert.Equal("smoke", NotebookRuns.PresetOf("03-language-model.ipynb"));
        Assert.Equal("smoke", NotebookRuns.PresetOf("04-llava.ipynb"));
        Assert.Equal("smoke", NotebookRuns.PresetOf("05-flamingo.ipynb"));
        Assert.Equal(NotebookRuns.DefaultPreset, NotebookRuns.PresetOf("00-welcome.ipynb"));
        Assert.All(NotebookRuns.All(), n => Assert.Contains(NotebookRuns.PresetOf(n), new[] { "smoke", "quick", "full" }));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void RunsTopToBottomWithItsTestPreset(string notebook)
    {
        var run = NotebookRuns.InProcess(notebook);
        // The runner's stderr names the failing cell and its error; show it as the failure message.
        Assert.True(run.Result.ExitCode == 0, $"{notebook} failed:\n{run.Result.Stderr}\n--- stdout ---\n{run.Result.Stdout}");
        Assert.True(File.Exists(run.Executed));
        Assert.True(File.Exists(run.Page));
    }
}
