using Spectre.Console;
using Workbench.Sweeps;

namespace Workbench.Cli.Progress;

/// <summary>
/// A sweep's progress in the terminal: Spectre.Console's live bar of trials ended with done, failed and left counts when
/// standard output is an interactive terminal; one line per trial when it is redirected (CI logs, Slurm output).
/// </summary>
static class SweepProgressBar
{
    /// <summary>Runs <paramref name="run"/>, showing each <see cref="SweepProgress"/> it reports.</summary>
    public static T Show<T>(int trials, Func<Action<SweepProgress>, T> run)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return run(p => Console.WriteLine(Line(p)));
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Counts(0, 0, trials), maxValue: Math.Max(1, trials));
                return run(p =>
                {
                    if (!p.Status.Succeeded && !p.Skipped) AnsiConsole.MarkupLine($"[red]failed[/] {Markup.Escape(p.Trial.Name)}: {Markup.Escape(p.Status.Error ?? "")}");
                    task.Description = Counts(p.Done, p.Failed, p.Left);
                    task.Value = p.Done + p.Failed;
                });
            });
    }

    static string Counts(int done, int failed, int left) => $"trials: {done} done, {failed} failed, {left} left";

    /// <summary>"[3/8] 002_BatchSize-64_seed-0 ok in 4.2s (done 3, failed 0, left 5)".</summary>
    static string Line(SweepProgress p)
    {
        string outcome = p.Skipped ? "finished earlier (skipped)"
            : p.Status.Succeeded ? $"ok in {p.Status.Seconds:F1}s"
            : $"FAILED in {p.Status.Seconds:F1}s: {p.Status.Error}";
        return $"[{p.Done + p.Failed}/{p.Total}] {p.Trial.Name} {outcome} (done {p.Done}, failed {p.Failed}, left {p.Left})";
    }
}
