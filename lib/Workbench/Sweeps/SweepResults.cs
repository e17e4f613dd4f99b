using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using Microsoft.Data.Analysis;
using Workbench.IO;
using Workbench.Statistics;
using Workbench.Training.Runs;

namespace Workbench.Sweeps;

/// <summary>One trial's row: how it ended, its held-out metrics and what its training cost.</summary>
/// <param name="Trial">The trial.</param>
/// <param name="Status">How it ended; null while it has not (pending, running, or its process died before it could say).</param>
/// <param name="Metrics">Its <c>metrics.json</c>, when it completed.</param>
/// <param name="Training">Its <c>training.json</c>, when it completed.</param>
public sealed record TrialResult(SweepTrial Trial, TrialStatus? Status, IReadOnlyDictionary<string, double>? Metrics, TrainingSummary? Training)
{
    /// <summary>"ok", "failed" or "pending".</summary>
    public string State => Status is null ? "pending" : Status.Succeeded ? "ok" : "failed";
}

/// <summary>The mean of a metric over the seeds of one combination of axis values.</summary>
/// <param name="Label">The combination, e.g. "BatchSize=64, LearnTemperature=false".</param>
/// <param name="Values">The axis values.</param>
/// <param name="Interval">The mean and its confidence interval over the seeds that succeeded.</param>
public sealed record CombinationMean(string Label, IReadOnlyList<AxisValue> Values, MeanInterval Interval);

/// <summary>
/// The results table of a sweep: one row per trial, gathered from the trial folders (so it reads the same whether the
/// trials ran here, in another process or on Slurm nodes), written as <c>results.csv</c> and <c>results.jsonl</c>
/// atomically, and shown as a <see cref="DataFrame"/>. Columns: trial, index, method, data, preset, seed, one per axis,
/// status, exit_code, seconds, parameters_trained, steps, samples_seen, one per held-out metric, error.
/// </summary>
public sealed class SweepResults
{
    /// <summary>The CSV file in the sweep's folder.</summary>
    public const string CsvFile = "results.csv";
    /// <summary>The JSON-lines file in the sweep's folder.</summary>
    public const string JsonLinesFile = "results.jsonl";

    /// <summary>A table of the given rows.</summary>
    public SweepResults(IReadOnlyList<TrialResult> trials)
    {
        Trials = trials;
        Axes = trials.SelectMany(t => t.Trial.Values.Select(v => v.Axis)).Where(a => !SweepAxis.IsRunChoiceName(a)).Distinct().ToList();
        MetricNames = trials.SelectMany(t => t.Metrics?.Keys ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
        Columns = [.. Fixed, .. Axes, .. Outcome, .. MetricNames, "error"];
    }

    static readonly string[] Fixed = ["trial", "index", "method", "data", "preset", "seed"];
    static readonly string[] Outcome = ["status", "exit_code", "seconds", "parameters_trained", "steps", "samples_seen"];

    /// <summary>Every trial's row, in trial order.</summary>
    public IReadOnlyList<TrialResult> Trials { get; }

    /// <summary>The setting axes (method, data and preset have their own columns).</summary>
    public IReadOnlyList<string> Axes { get; }

    /// <summary>Every held-out metric some trial reported.</summary>
    public IReadOnlyList<string> MetricNames { get; }

    /// <summary>The table's columns, in order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Trials that succeeded, failed, and have not ended.</summary>
    public (int Succeeded, int Failed, int Pending) Counts =>
        (Trials.Count(t => t.State == "ok"), Trials.Count(t => t.State == "failed"), Trials.Count(t => t.State == "pending"));

    /// <summary>Reads every trial's folder under <paramref name="folder"/>; a trial never run is pending.</summary>
    public static SweepResults Gather(IReadOnlyList<SweepTrial> trials, string folder) => new(trials.Select(trial =>
    {
        var trialFolder = new TrialFolder(folder, trial);
        if (!Directory.Exists(trialFolder.Path)) return new TrialResult(trial, null, null, null);
        trialFolder.CheckSameTrial();
        var status = trialFolder.ReadStatus();
        return new TrialResult(trial, status, status is { Succeeded: true } ? trialFolder.Run.ReadMetrics() : null,
            status is { Succeeded: true } ? trialFolder.Run.ReadTraining() : null);
    }).ToList());

    /// <summary>A cell: a number (double), text, or null when the trial has no such value.</summary>
    public object? Cell(TrialResult row, string column)
    {
        var t = row.Trial;
        switch (column)
        {
            case "trial": return t.Name;
            case "index": return (double)t.Index;
            case "method": return t.Method;
            case "data": return t.Data;
            case "preset": return t.Preset;
            case "seed": return (double)t.Seed;
            case "status": return row.State;
            case "exit_code": return row.Status is { } s ? s.ExitCode : null;
            case "seconds": return row.Status?.Seconds;
            case "parameters_trained": return row.Training is { } a ? a.ParametersTrained : null;
            case "steps": return row.Training is { } b ? b.Steps : null;
            case "samples_seen": return row.Training is { } c ? c.SamplesSeen : null;
            case "error": return row.Status?.Error;
        }
        if (t.Values.FirstOrDefault(v => v.Axis == column) is { } value)
            return double.TryParse(value.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) ? number : value.Value;
        return row.Metrics is { } m && m.TryGetValue(column, out double metric) ? metric : null;
    }

    /// <summary>A column as numbers (NaN where a row has none or it is not a number); throws naming the columns for an unknown one.</summary>
    public double[] Numbers(string column, IEnumerable<TrialResult>? rows = null)
    {
        if (!Columns.Contains(column)) throw new ArgumentException($"No column '{column}' in the results; the columns are: {string.Join(", ", Columns)}.");
        return (rows ?? Trials).Select(r => Cell(r, column) switch
        {
            double d => d,
            int i => i,
            long l => l,
            _ => double.NaN,
        }).ToArray();
    }

    /// <summary>The trials that succeeded.</summary>
    public IReadOnlyList<TrialResult> Succeeded => Trials.Where(t => t.State == "ok").ToList();

    /// <summary>
    /// The mean of <paramref name="metric"/> with its <paramref name="confidence"/> interval over the seeds of each
    /// combination of method, data, preset and axis values that has at least one successful trial, in trial order.
    /// </summary>
    public IReadOnlyList<CombinationMean> MeanOverSeeds(string metric, double confidence = 0.95)
    {
        Numbers(metric);   // names the columns when the metric is unknown
        return Succeeded.GroupBy(r => LabelOf(r.Trial))
            .Select(g => new CombinationMean(g.Key, g.First().Trial.Values, MeanInterval.Of(Numbers(metric, g), confidence)))
            .ToList();
    }

    /// <summary>A power law <c>metric = a · x^b</c> over the successful trials (x: steps, samples_seen, parameters_trained or a numeric axis such as TrainSamples).</summary>
    public PowerLawFit FitPowerLaw(string x, string metric, Func<TrialResult, bool>? where = null)
    {
        var rows = Succeeded.Where(where ?? (_ => true)).ToList();
        return PowerLawFit.Of(Numbers(x, rows), Numbers(metric, rows));
    }

    /// <summary>"method=llava, Projector=linear": a combination's axis values (its method, data or preset when an axis varies them).</summary>
    public static string LabelOf(SweepTrial trial) =>
        trial.Values.Count == 0 ? trial.Method : string.Join(", ", trial.Values.Select(v => $"{v.Axis}={v.Value}"));

    /// <summary>Writes <c>results.csv</c> and <c>results.jsonl</c> into <paramref name="folder"/>, each atomically.</summary>
    public void Write(string folder)
    {
        AtomicFile.WriteAllText(Path.Combine(folder, CsvFile), ToCsv());
        AtomicFile.WriteAllText(Path.Combine(folder, JsonLinesFile), ToJsonLines());
    }

    /// <summary>The table as CSV (a header row, numbers in invariant culture, empty cells for missing values).</summary>
    public string ToCsv()
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default, leaveOpen: true))
        {
            csv.WriteRecord(Columns.ToArray());
            foreach (var row in Trials) csv.WriteRecord(Columns.Select(c => Format(Cell(row, c))).ToArray());
        }
        return text.ToString();
    }

    /// <summary>The table as JSON lines, one object per trial (null for missing values).</summary>
    public string ToJsonLines()
    {
        var lines = new StringBuilder();
        foreach (var row in Trials)
        {
            var line = new JsonObject();
            foreach (var column in Columns)
                line[column] = Cell(row, column) switch
                {
                    null => null,
                    double d => double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(Format(d)),
                    int i => JsonValue.Create(i),
                    long l => JsonValue.Create(l),
                    var other => JsonValue.Create(other.ToString()),
                };
            lines.Append(line.ToJsonString()).Append('\n');
        }
        return lines.ToString();
    }

    /// <summary>Reads a <c>results.jsonl</c> written by <see cref="Write"/> back as a DataFrame (for plotting an earlier sweep).</summary>
    public static DataFrame ReadDataFrame(string jsonLinesPath)
    {
        if (!File.Exists(jsonLinesPath)) throw new FileNotFoundException($"No results table: {jsonLinesPath} is missing.", jsonLinesPath);
        var rows = new List<JsonObject>();
        int number = 0;
        foreach (var line in File.ReadLines(jsonLinesPath))
        {
            number++;
            if (line.Length == 0) continue;
            try
            {
                rows.Add(JsonNode.Parse(line)?.AsObject() ?? throw new InvalidDataException($"{jsonLinesPath}:{number}: null."));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw new InvalidDataException($"{jsonLinesPath}:{number}: not a JSON object ({e.Message}).", e);
            }
        }
        var columns = rows.SelectMany(r => r.Select(p => p.Key)).Distinct().ToList();
        return Frame(columns, rows.Count, (row, column) => rows[row][column] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out double d) => d,
            var other => other.ToString(),
        });
    }

    /// <summary>The table as a <see cref="DataFrame"/>: numeric columns as doubles (filter, group, sort them), the rest as text.</summary>
    public DataFrame ToDataFrame() => Frame(Columns, Trials.Count, (row, column) => Cell(Trials[row], column) switch
    {
        int i => (double)i,
        long l => (double)l,
        var other => other,
    });

    static DataFrame Frame(IReadOnlyList<string> columns, int rows, Func<int, string, object?> cell)
    {
        var frame = new DataFrame();
        foreach (var name in columns)
        {
            var values = Enumerable.Range(0, rows).Select(r => cell(r, name)).ToList();
            if (values.All(v => v is null or double))
                frame.Columns.Add(new DoubleDataFrameColumn(name, values.Select(v => (double?)v)));
            else
                frame.Columns.Add(new StringDataFrameColumn(name, values.Select(v => v is double d ? Format(d) : v?.ToString())));
        }
        return frame;
    }

    static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
