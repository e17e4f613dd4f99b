namespace Workbench.Tests.Notebooks;

/// <summary>Every notebook under notebooks/ runs top to bottom with the quick preset, as CI and workshop laptops run it.</summary>
public sealed class NotebookSuiteTests
{
    public static TheoryData<string> Notebooks() => NotebookRuns.AsTheoryData();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void RunsWithTheQuickPreset(string notebook)
    {
        var run = NotebookRuns.InProcess(notebook);
        // The runner's stderr names the failing cell and its error; show it as the failure message.
        Assert.True(run.Result.ExitCode == 0, $"{notebook} failed:\n{run.Result.Stderr}\n--- stdout ---\n{run.Result.Stdout}");
        Assert.True(File.Exists(run.Executed));
        Assert.True(File.Exists(run.Page));
    }
}
