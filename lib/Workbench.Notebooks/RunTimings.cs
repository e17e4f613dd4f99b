using System.Globalization;
using System.Text;
using Workbench.IO;

namespace Workbench.Notebooks;

/// <summary>How long one notebook of a <c>workbench run</c> took.</summary>
/// <param name="Notebook">Its name without extension.</param>
/// <param name="Seconds">Wall time of all its cells.</param>
/// <param name="Ok">Whether every cell ran.</param>
/// <param name="PeakMb">The peak resident memory of the process it ran in (its own, as in VS Code), in MB.</param>
public sealed record NotebookTiming(string Notebook, double Seconds, bool Ok, double PeakMb);

/// <summary>
/// The table <c>workbench run</c> ends with: each notebook's minutes and peak memory (each runs in a process of its own,
/// as VS Code gives each notebook its own kernel), the total time and the largest peak. <c>workbench run ... --timings
/// FILE</c> also writes it into FILE between two marker comments, so the facilitator's plan (docs/workshop.md) shows
/// measured figures that a command regenerates, not typed ones.
/// </summary>
public static class RunTimings
{
    /// <summary>The line that opens the generated region of a Markdown file.</summary>
    public const string Begin = "<!-- workbench run --timings: begin (generated; do not edit by hand) -->";

    /// <summary>The line that closes it.</summary>
    public const string End = "<!-- workbench run --timings: end -->";

    /// <summary>The Markdown table; its header names the preset, the precision the presets trained at and the cores.</summary>
    public static string Table(IReadOnlyList<NotebookTiming> times, string? preset, string precision, int cores)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| notebook ({preset ?? "default"} preset, {precision}, {cores} cores) | minutes | peak memory (MB) | result |");
        text.AppendLine("| --- | ---: | ---: | --- |");
        foreach (var (notebook, seconds, ok, peakMb) in times)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {notebook} | {seconds / 60:F1} | {peakMb:F0} | {(ok ? "ok" : "failed")} |");
        double largest = times.Count == 0 ? double.NaN : times.Max(t => t.PeakMb);
        text.AppendLine(CultureInfo.InvariantCulture, $"| total | {times.Sum(t => t.Seconds) / 60:F1} | largest {largest:F0} | |");
        return text.ToString();
    }

    /// <summary>
    /// The generated region: the command that made it, when and on what machine, then the table. Only the machine's
    /// facts that move the figures are named: cores and processor.
    /// </summary>
    public static string Region(string table, string command, DateTime when, int cores, string? processor) =>
        $"{Begin}\n" +
        $"Measured by `{command}` on {when:yyyy-MM-dd} ({cores} cores{(processor is null ? "" : $", {processor}")}). " +
        "Run it again on your machine to replace this table.\n\n" +
        table +
        $"{End}\n";

    /// <summary>
    /// Replaces the region between <see cref="Begin"/> and <see cref="End"/> in <paramref name="path"/> (atomically: the
    /// file is whole before and after). A file without both markers is refused, naming the file and the markers, so
    /// that a mistyped path never overwrites a document.
    /// </summary>
    public static void WriteInto(string path, string region)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file to write the timing table into.", path);
        string text = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (RegionProblem(path, text) is { } problem) throw new InvalidDataException(problem);
        int begin = text.IndexOf(Begin, StringComparison.Ordinal);
        int end = text.IndexOf(End, StringComparison.Ordinal);
        int after = text.IndexOf('\n', end);
        after = after < 0 ? text.Length : after + 1;
        AtomicFile.WriteAllText(path, text[..begin] + region + text[after..]);
    }

    /// <summary>Why <paramref name="path"/> (whose text is <paramref name="text"/>) cannot take the table, or null when it has both markers in order.</summary>
    public static string? RegionProblem(string path, string text)
    {
        int begin = text.IndexOf(Begin, StringComparison.Ordinal);
        int end = text.IndexOf(End, StringComparison.Ordinal);
        return begin >= 0 && end > begin ? null
            : $"{path}: the file has no generated timing region; add the lines `{Begin}` and, below it, `{End}` where the table goes.";
    }

    /// <summary>The processor's name from /proc/cpuinfo (Linux), else null.</summary>
    public static string? Processor()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (!File.Exists(cpuinfo)) return null;
        string? line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?[(line.IndexOf(':') + 1)..].Trim();
    }
}
