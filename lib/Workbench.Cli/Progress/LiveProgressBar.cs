using Spectre.Console;
using Workbench.Training;

namespace Workbench.Cli.Progress;

/// <summary>Spectre.Console's live progress display: the latest step's loss, a bar, the time left; evaluations printed above it.</summary>
public sealed class LiveProgressBar : TerminalProgress
{
    readonly IAnsiConsole console;
    readonly ProgressTask task;

    LiveProgressBar(IAnsiConsole console, ProgressTask task, long steps) : base(steps) => (this.console, this.task) = (console, task);

    /// <summary>Runs <paramref name="train"/> inside a live progress display on <paramref name="console"/>.</summary>
    public static T Run<T>(IAnsiConsole console, long steps, Func<TerminalProgress, T> train) =>
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new RemainingTimeColumn())
            .Start(context => train(new LiveProgressBar(console, context.AddTask("starting", maxValue: Math.Max(1, steps)), steps)));

    /// <inheritdoc />
    /// <remarks>Short enough to share an 80-column line with the bar, the percentage and the time left.</remarks>
    protected override void OnStep(StepRecord record)
    {
        task.Description = Markup.Escape($"step {record.Step}/{Steps}  loss {record.Loss:F4}{Temperature(record, "  τ ")}");
        task.Value = record.Step;
    }

    /// <inheritdoc />
    protected override void OnEval(string line) => console.WriteLine(line);
}
