using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Workbench.IO;

namespace Workbench.Training;

/// <summary>
/// <c>log.jsonl</c>: one <see cref="StepRecord"/> per line as a JSON object (snake_case keys), flushed after every
/// line so a crash loses at most the line being written. Opening it for a run resumed at step k first drops the
/// lines after step k (and a torn last line), so the log never holds a step twice.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    /// <summary>The log's file name inside the output folder.</summary>
    public const string FileName = "log.jsonl";

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    readonly StreamWriter writer;

    MetricsLog(string path)
    {
        Path = path;
        writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    /// <summary>The file appended to.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens <paramref name="path"/> for appending after keeping only its records with step ≤ <paramref name="keepThroughStep"/>
    /// (rewritten atomically when anything is dropped). Returns the log and the records kept.
    /// </summary>
    public static (MetricsLog Log, IReadOnlyList<StepRecord> Kept) Open(string path, long keepThroughStep)
    {
        var kept = new List<StepRecord>();
        if (File.Exists(path))
        {
            var lines = File.ReadAllLines(path);
            var keptLines = new List<string>();
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].Length == 0) continue;
                var record = Parse(path, i + 1, lines[i], isLast: i == lines.Length - 1);
                if (record is null || record.Step > keepThroughStep) continue;
                kept.Add(record);
                keptLines.Add(lines[i]);
            }
            if (keptLines.Count != lines.Length)
                AtomicFile.WriteAllText(path, keptLines.Count == 0 ? "" : string.Join('\n', keptLines) + "\n");
        }
        return (new MetricsLog(path), kept);
    }

    /// <summary>Reads every record of a log (a torn last line is skipped); throws naming the file and line of a bad one.</summary>
    public static IReadOnlyList<StepRecord> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var records = new List<StepRecord>();
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].Length > 0 && Parse(path, i + 1, lines[i], isLast: i == lines.Length - 1) is { } record)
                records.Add(record);
        return records;
    }

    /// <summary>Appends one record as a line and flushes it to the operating system.</summary>
    public void Append(StepRecord record)
    {
        writer.Write(JsonSerializer.Serialize(record, Json));
        writer.Write('\n');
        writer.Flush();
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => writer.Dispose();

    /// <summary>Parses one line; a torn last line (a crash mid-write) yields null, any other bad line throws.</summary>
    static StepRecord? Parse(string path, int lineNumber, string line, bool isLast)
    {
        try
        {
            return JsonSerializer.Deserialize<StepRecord>(line, Json)
                   ?? throw new InvalidDataException($"{path}:{lineNumber}: expected a JSON object, found null.");
        }
        catch (JsonException e)
        {
            if (isLast) return null;
            throw new InvalidDataException($"{path}:{lineNumber}: not a step record ({e.Message}).", e);
        }
    }
}
