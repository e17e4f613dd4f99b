using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Workbench.Tests.Notebooks;

/// <summary>One notebook's in-process run: `workbench run NOTEBOOK --preset PRESET --html`, the preset from <see cref="NotebookRuns.PresetOf"/>.</summary>
/// <param name="Result">The command's exit code and output.</param>
/// <param name="Executed">The executed notebook it wrote.</param>
/// <param name="Page">The HTML page it wrote.</param>
public sealed record NotebookRun(Cli.Result Result, string Executed, string Page);

/// <summary>
/// Every notebook under notebooks/, and its in-process run, made at most once per test process: the suite and the
/// tests that look at a notebook's outputs share it, so the sequence's cost grows by one run per notebook per host.
/// </summary>
public static class NotebookRuns
{
    static readonly ConcurrentDictionary<string, Lazy<NotebookRun>> Runs = new();
    static readonly Lazy<TempFolder> Output = new(() =>
    {
        var folder = new TempFolder();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => folder.Dispose();
        return folder;
    });

    /// <summary>The notebooks' file names, in name order (.ipynb and .dib).</summary>
    public static IReadOnlyList<string> All() =>
        Directory.GetFiles(Path.Combine(Cli.RepoRoot, "notebooks"))
            .Where(p => p.EndsWith(".ipynb") || p.EndsWith(".dib")).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList();

    /// <summary>The notebooks as theory data.</summary>
    public static TheoryData<string> AsTheoryData() => new(All());

    /// <summary>The preset the in-process suite runs a notebook with unless its metadata names another.</summary>
    public const string DefaultPreset = "quick";

    /// <summary>
    /// The preset the in-process suite runs <paramref name="notebook"/> with: <see cref="DefaultPreset"/>, or the one its
    /// notebook-level metadata names as <c>"workbench": {"test_preset": "smoke"}</c>. A notebook whose quick preset
    /// trains for minutes (CLIP, the language model, LLaVA, Flamingo, the ablations) declares smoke there, so the suite
    /// runs every cell within CI's time; its quick figures are measured by hand and reported in docs/workshop.md.
    /// </summary>
    public static string PresetOf(string notebook)
    {
        string path = Path.Combine(Cli.RepoRoot, "notebooks", notebook);
        if (!path.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase)) return DefaultPreset;
        var preset = JsonNode.Parse(File.ReadAllText(path))?["metadata"]?["workbench"]?["test_preset"];
        return preset is null ? DefaultPreset : (string?)preset ?? DefaultPreset;
    }

    /// <summary>The notebook's in-process run, started on first request and shared by every later one.</summary>
    public static NotebookRun InProcess(string notebook) =>
        Runs.GetOrAdd(notebook, n => new Lazy<NotebookRun>(() => Run(n))).Value;

    static NotebookRun Run(string notebook)
    {
        string output = Path.Combine(Output.Value.Path, Path.GetFileNameWithoutExtension(notebook));
        var result = Cli.Run(Cli.RepoRoot, TimeSpan.FromMinutes(15),
            "run", Path.Combine("notebooks", notebook), "--preset", PresetOf(notebook), "--out", output, "--html");
        string name = Path.GetFileNameWithoutExtension(notebook);
        return new NotebookRun(result, Path.Combine(output, name + ".ipynb"), Path.Combine(output, name + ".html"));
    }
}
