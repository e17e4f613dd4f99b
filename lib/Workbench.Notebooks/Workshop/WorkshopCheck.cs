using Microsoft.DotNet.Interactive.Documents;
using Workbench.Teaching;

namespace Workbench.Notebooks.Workshop;

/// <summary>
/// One workshop copy, run headless: which exercises its check cells reported and how. A student copy is right when it
/// runs to the end and reports every exercise as not implemented (the stubs as handed out); a facilitator copy when it
/// runs to the end and every exercise passes.
/// </summary>
/// <param name="Path">The copy.</param>
/// <param name="Kind"><see cref="WorkshopCopies.StudentFolder"/> or <see cref="WorkshopCopies.FacilitatorFolder"/>.</param>
/// <param name="Expected">The exercises its check cells name.</param>
/// <param name="Reported">The exercises and outcomes its run reported, in order.</param>
/// <param name="Failure">The failing cell and its error, when the run stopped early.</param>
public sealed record CopyCheck(string Path, string Kind, IReadOnlyList<string> Expected, IReadOnlyList<(string Id, string Outcome)> Reported, string? Failure)
{
    /// <summary>The outcome every exercise of this kind of copy should report.</summary>
    public string ExpectedOutcome => Kind == WorkshopCopies.StudentFolder ? "not-implemented" : "passed";

    /// <summary>What is wrong, one line each; empty when the copy is as it should be.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            var problems = new List<string>();
            if (Failure is not null) problems.Add($"stopped: {Failure}");
            foreach (var id in Expected.Where(id => Reported.All(r => r.Id != id)))
                problems.Add($"exercise {id}: no report (its check cell did not run or did not show the report)");
            foreach (var (id, outcome) in Reported.Where(r => r.Outcome != ExpectedOutcome))
                problems.Add($"exercise {id}: {outcome}, expected {ExpectedOutcome}");
            return problems;
        }
    }
}

/// <summary><c>workbench workshop check</c>: runs the student and facilitator copies that <see cref="WorkshopCopies.Make"/> wrote.</summary>
public static class WorkshopCheck
{
    /// <summary>The copies under <paramref name="dir"/>: its student notebooks, then its facilitator notebooks, each in name order.</summary>
    public static IReadOnlyList<(string Path, string Kind)> Copies(string dir)
    {
        var copies = new List<(string, string)>();
        foreach (var kind in new[] { WorkshopCopies.StudentFolder, WorkshopCopies.FacilitatorFolder })
        {
            string folder = Path.Combine(dir, kind);
            if (!Directory.Exists(folder))
                throw new DirectoryNotFoundException($"{dir} has no {kind}/ folder: write the copies with `workbench workshop make --out {dir}`.");
            var found = Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal).ToList();
            if (found.Count == 0) throw new FileNotFoundException($"No notebooks (.ipynb) in {folder}.");
            copies.AddRange(found.Select(f => (Path.GetFullPath(f), kind)));
        }
        return copies;
    }

    /// <summary>
    /// Runs one copy with those of <paramref name="parameters"/> (e.g. the smoke preset) that its parameters cell
    /// declares, and reads its exercise reports.
    /// </summary>
    public static async Task<CopyCheck> RunAsync(NotebookRunner runner, string path, string kind, IReadOnlyDictionary<string, string> parameters, CancellationToken cancel = default)
    {
        var expected = WorkshopCopies.Exercises(path, WorkshopCopies.Load(path), withSolutions: kind != WorkshopCopies.StudentFolder);
        var document = NotebookFile.Load(path);
        int cell = NotebookParameters.FindCell(document);
        var declared = cell < 0 ? [] : NotebookParameters.Parse(document.Elements[cell].Contents).Select(p => p.Name).ToHashSet();
        var applicable = parameters.Where(p => declared.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value);
        var result = await runner.RunAsync(path, applicable, cancel);
        return new CopyCheck(path, kind, expected, Reports(result.Executed),
            result.Failure is { } failed ? $"cell {failed.Number}: {failed.Error}" : null);
    }

    /// <summary>The exercise reports an executed notebook shows, in order.</summary>
    public static IReadOnlyList<(string Id, string Outcome)> Reports(InteractiveDocument executed) =>
        executed.Elements.SelectMany(e => e.Outputs).SelectMany(output => output switch
        {
            DisplayElement d => Html(d.Data),
            ReturnValueElement r => Html(r.Data),
            _ => [],
        }).ToList();

    static IEnumerable<(string, string)> Html(IDictionary<string, object> data) =>
        data.TryGetValue("text/html", out var html) && html?.ToString() is { } text ? ExerciseReport.FindIn(text) : [];
}
