using Workbench.Training;

namespace Workbench.Cli.Progress;

/// <summary>
/// Progress for redirected output: a line at the first step, every tenth of the run and the last step, and one per
/// evaluation; nothing rewritten in place, so logs read top to bottom.
/// </summary>
public sealed class PlainProgressLines(long steps, TextWriter output) : TerminalProgress(steps)
{
    /// <summary>Steps between two lines.</summary>
    public long Every { get; } = Math.Max(1, steps / 10);

    /// <inheritdoc />
    protected override void OnStep(StepRecord record)
    {
        if (record.Step == 1 || record.Step % Every == 0 || record.Step == Steps) output.WriteLine(FullLine(record));
    }

    /// <inheritdoc />
    protected override void OnEval(string line) => output.WriteLine(line);
}
