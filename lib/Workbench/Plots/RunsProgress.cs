using System.Net;
using System.Text;
using Workbench.Training;

namespace Workbench.Plots;

/// <summary>
/// A live view of several training runs made one after another, such as the prerequisites a method trains on first
/// use (<see cref="Training.Runs.PrerequisiteRuns"/>): the log lines that say what is found or trained, and one loss
/// curve per run. A run starts where a log line came before the step, or where the step count falls back. Feed it a
/// run's <c>log</c> and <c>onStep</c> callbacks and show it with <see cref="LiveDisplay"/>.
/// </summary>
/// <param name="title">What the runs are for.</param>
public sealed class RunsProgress(string title)
{
    readonly List<string> messages = [];
    readonly List<(string Name, List<StepRecord> Steps)> runs = [];
    string? nextName;

    /// <summary>The runs that have reported steps, in order, each named by the log line that announced it.</summary>
    public IReadOnlyList<string> Runs { get { lock (messages) return runs.Select(r => r.Name).ToList(); } }

    /// <summary>
    /// Records a log line (shown once however often it repeats: every LLaVA run reports the same prerequisites); steps
    /// after it belong to a new run named by the line's text before its first colon (the method in
    /// <c>PrerequisiteRuns</c>' lines), or the whole line.
    /// </summary>
    public RunsProgress Log(string message)
    {
        lock (messages)
        {
            if (!messages.Contains(message)) messages.Add(message);
            int colon = message.IndexOf(':');
            nextName = colon > 0 ? message[..colon] : message;
        }
        return this;
    }

    /// <summary>Records a step of the current run, or of a new one.</summary>
    public RunsProgress Add(StepRecord record)
    {
        lock (messages)
        {
            if (runs.Count == 0 || nextName is not null || record.Step <= runs[^1].Steps[^1].Step)
                runs.Add(($"{runs.Count + 1}. {nextName ?? "run"}", []));
            nextName = null;
            runs[^1].Steps.Add(record);
        }
        return this;
    }

    /// <summary>One line per run: its last step and loss.</summary>
    public string Status()
    {
        lock (messages)
        {
            if (runs.Count == 0) return $"{title}: nothing trained{(messages.Count > 0 ? "" : " yet")}";
            return $"{title}: " + string.Join("; ", runs.Select(r => $"{r.Name} step {r.Steps[^1].Step} · loss {r.Steps[^1].Loss:F4} · {r.Steps[^1].StepsPerSecond:F2} steps/s"));
        }
    }

    /// <summary>The loss curves so far, one per run.</summary>
    public Figure Chart()
    {
        lock (messages)
            return Charts.Curves($"{title}: training loss", "loss",
                runs.Select(r => new Series(r.Name, r.Steps.Select(s => (double)s.Step).ToList(), r.Steps.Select(s => s.Loss).ToList()))).Size(640, 300);
    }

    /// <summary>The log lines, the status line and (once a run has steps) the chart, as HTML.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder("<div style=\"font-size:12px\">");
        lock (messages)
            foreach (var m in messages) html.Append("<div>").Append(WebUtility.HtmlEncode(m)).Append("</div>");
        html.Append("<div><b>").Append(WebUtility.HtmlEncode(Status())).Append("</b></div></div>");
        bool any;
        lock (messages) any = runs.Count > 0;
        return any ? html.Append(ChartHtml.Fragment(Chart())).ToString() : html.ToString();
    }

    /// <inheritdoc />
    public override string ToString()
    {
        lock (messages) return string.Join(Environment.NewLine, messages.Append(Status()));
    }
}
