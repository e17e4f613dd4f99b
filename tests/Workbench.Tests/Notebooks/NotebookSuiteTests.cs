namespace Workbench.Tests.Notebooks;

/// <summary>Every notebook under notebooks/ runs top to bottom with the quick preset, as CI and workshop laptops run it.</summary>
public sealed class NotebookSuiteTests
{
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(Cli.RepoRoot, "notebooks"))
                     .Where(p => p.EndsWith(".ipynb") || p.EndsWith(".dib")).OrderBy(p => p, StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void RunsWithTheQuickPreset(string notebook)
    {
        using var temp = new TempFolder();
        var result = Cli.Run(Cli.RepoRoot, TimeSpan.FromMinutes(15), "run", Path.Combine("notebooks", notebook), "--preset", "quick", "--out", temp.Path);
        // The runner's stderr names the failing cell and its error; show it as the failure message.
        Assert.True(result.ExitCode == 0, $"{notebook} failed:\n{result.Stderr}\n--- stdout ---\n{result.Stdout}");
        Assert.True(File.Exists(Path.Combine(temp.Path, Path.ChangeExtension(notebook, ".ipynb"))));
    }
}
