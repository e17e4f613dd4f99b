using System.Net;
using Workbench.Training;

namespace Workbench.Plots;

/// <summary>
/// A live view of a training run for notebooks: one line of figures (step, loss, temperature, speed, time left) over
/// a loss chart that grows as steps arrive. Feed it the trainer's events and show it with <see cref="LiveDisplay"/>:
/// <code>var progress = new TrainingProgress("CLIP", steps); var live = LiveDisplay.Show(progress);
/// run.Fit(dir, onStep: r => { progress.Add(r); live.Update(progress); });</code>
/// </summary>
public sealed class TrainingProgress(string title, long totalSteps)
{
    readonly List<StepRecord> steps = [];
    readonly List<EvaluationRecord> evaluations = [];
    readonly DateTime started = DateTime.UtcNow;

    /// <summary>Records a step.</summary>
    public TrainingProgress Add(StepRecord record) { lock (steps) steps.Add(record); return this; }

    /// <summary>Records an evaluation.</summary>
    public TrainingProgress Add(EvaluationRecord record) { lock (steps) evaluations.Add(record); return this; }

    /// <summary>
    /// Records every step and evaluation of a run folder's log (<see cref="MetricsLog"/>): the curve of a run that was
    /// found in the prerequisite cache rather than trained now, drawn as it was trained.
    /// </summary>
    public TrainingProgress AddLog(string runFolder)
    {
        foreach (var record in MetricsLog.Read(Path.Combine(runFolder, MetricsLog.FileName)))
        {
            Add(record);
            if (record.Evaluation is { } evaluation) Add(new EvaluationRecord(record.Step, evaluation));
        }
        return this;
    }

    /// <summary>The status line.</summary>
    public string Status()
    {
        lock (steps)
        {
            if (steps.Count == 0) return $"{title}: starting ({totalSteps} steps)";
            var last = steps[^1];
            double elapsed = (DateTime.UtcNow - started).TotalSeconds;
            double eta = last.Step > 0 ? elapsed / last.Step * (totalSteps - last.Step) : 0;
            string temperature = last.Metrics.TryGetValue("temperature", out var t) ? $" · temperature {t:F4}" : "";
            string eval = evaluations.Count > 0 ? " · " + string.Join(", ", evaluations[^1].Metrics.Select(m => $"{m.Key} {m.Value:0.###}")) : "";
            return $"{title}: step {last.Step}/{totalSteps} · loss {last.Loss:F4}{temperature} · {last.StepsPerSecond:F2} steps/s · " +
                   $"{elapsed:F0}s elapsed, about {eta:F0}s left{eval}";
        }
    }

    /// <summary>The loss chart so far.</summary>
    public Figure Chart()
    {
        lock (steps)
            return Charts.Curves($"{title}: training loss", "loss",
                [new Series("loss", steps.Select(s => (double)s.Step).ToList(), steps.Select(s => s.Loss).ToList())]).Size(640, 300);
    }

    /// <summary>Status line and chart as HTML.</summary>
    public string ToHtml() => $"<div><b>{WebUtility.HtmlEncode(Status())}</b></div>" + ChartHtml.Fragment(Chart());

    /// <inheritdoc />
    public override string ToString() => Status();
}
