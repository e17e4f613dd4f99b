using System.Collections;

namespace Workbench.Training;

/// <summary>
/// Every step record of a run, in step order, kept in memory for plots and tests. A resumed run starts with the
/// records of its <c>log.jsonl</c>, so the history covers the whole trajectory. Safe to read from another thread
/// (a notebook's plotting loop) while the trainer appends.
/// </summary>
public sealed class MetricsHistory : IReadOnlyList<StepRecord>
{
    readonly List<StepRecord> records = [];
    readonly Lock gate = new();

    /// <summary>The number of records.</summary>
    public int Count { get { lock (gate) return records.Count; } }

    /// <summary>The record at <paramref name="index"/> (0-based; not the step number).</summary>
    public StepRecord this[int index] { get { lock (gate) return records[index]; } }

    /// <summary>The newest record, or null before the first step.</summary>
    public StepRecord? Latest { get { lock (gate) return records.Count == 0 ? null : records[^1]; } }

    /// <summary>(step, loss) of every record.</summary>
    public IReadOnlyList<(long Step, double Loss)> Losses => Snapshot().Select(r => (r.Step, r.Loss)).ToList();

    /// <summary>(step, value) of one held-out metric, over the steps that were evaluated.</summary>
    public IReadOnlyList<(long Step, double Value)> Evaluations(string metric) =>
        Snapshot().Where(r => r.Evaluation?.ContainsKey(metric) == true).Select(r => (r.Step, r.Evaluation![metric])).ToList();

    /// <summary>Appends a record; steps must increase.</summary>
    public void Add(StepRecord record)
    {
        lock (gate)
        {
            if (records.Count > 0 && record.Step <= records[^1].Step)
                throw new ArgumentException($"Step {record.Step} does not follow step {records[^1].Step}.");
            records.Add(record);
        }
    }

    /// <summary>Removes every record.</summary>
    public void Clear() { lock (gate) records.Clear(); }

    /// <summary>A copy of the records, safe to enumerate while training goes on.</summary>
    public IReadOnlyList<StepRecord> Snapshot() { lock (gate) return records.ToArray(); }

    /// <inheritdoc />
    public IEnumerator<StepRecord> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
