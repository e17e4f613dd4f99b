using System.Diagnostics;
using Spectre.Console;
using Workbench.Training;

namespace Workbench.Cli.Progress;

/// <summary>
/// A training run's progress in the terminal. <see cref="Show"/> picks Spectre.Console's live progress bar when the
/// output is an interactive terminal, and <see cref="PlainProgressLines"/> when it is redirected (CI logs, tests,
/// files), where a line rewritten in place would leave escape codes and carriage returns behind.
/// </summary>
public abstract class TerminalProgress
{
    readonly Stopwatch watch = Stopwatch.StartNew();
    long? firstStep;

    /// <summary>Progress of a run of <paramref name="steps"/> optimizer steps.</summary>
    protected TerminalProgress(long steps) => Steps = steps;

    /// <summary>The run's last step.</summary>
    public long Steps { get; }

    /// <summary>Seconds from the start to the last step (0 until then).</summary>
    public double TrainingSeconds { get; private set; }

    /// <summary>Runs <paramref name="train"/> with the progress display that suits standard output.</summary>
    public static T Show<T>(long steps, Func<TerminalProgress, T> train) =>
        Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive
            ? train(new PlainProgressLines(steps, Console.Out))
            : LiveProgressBar.Run(AnsiConsole.Console, steps, train);

    /// <summary>One step ended (the trainer's <c>StepEnded</c> event).</summary>
    public void Step(StepRecord record)
    {
        firstStep ??= record.Step - 1;
        if (record.Step >= Steps) TrainingSeconds = watch.Elapsed.TotalSeconds;
        OnStep(record);
    }

    /// <summary>An evaluation ended (the trainer's <c>EvalEnded</c> event).</summary>
    public void Eval(EvaluationRecord record) =>
        OnEval($"  eval at step {record.Step}: {string.Join(", ", record.Metrics.Select(m => $"{m.Key} {m.Value:0.###}"))}");

    /// <summary>Shows a step.</summary>
    protected abstract void OnStep(StepRecord record);

    /// <summary>Shows an evaluation's line.</summary>
    protected abstract void OnEval(string line);

    /// <summary>"step     40/250  loss   2.1234  lr 1.00e-3  temperature 0.0700   2.05 steps/s  eta   102s".</summary>
    protected string FullLine(StepRecord r)
    {
        long done = r.Step - firstStep!.Value;   // steps of this process: a resumed run's earlier steps took no time here
        double eta = done > 0 ? watch.Elapsed.TotalSeconds / done * (Steps - r.Step) : 0;
        return $"step {r.Step,6}/{Steps}  loss {r.Loss,8:F4}  lr {r.LearningRate:0.00e0}{Temperature(r, "  temperature ")}  " +
               $"{r.StepsPerSecond,5:F2} steps/s  eta {eta,5:F0}s";
    }

    /// <summary>The learned temperature after a label, when the task reports one; else nothing.</summary>
    protected static string Temperature(StepRecord r, string label) =>
        r.Metrics.TryGetValue("temperature", out var t) ? $"{label}{t:F4}" : "";
}
