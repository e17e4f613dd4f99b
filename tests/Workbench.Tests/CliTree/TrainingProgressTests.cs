using Spectre.Console;
using Workbench.Cli.Progress;
using Workbench.Training;

namespace Workbench.Tests.CliTree;

/// <summary>The terminal's training progress: plain lines when output is redirected, Spectre.Console's live bar in a terminal.</summary>
public sealed class TrainingProgressTests
{
    static StepRecord Step(long step) => new(step, Loss: 3.0 / step, LearningRate: 1e-3, StepsPerSecond: 2.0, SamplesPerSecond: null,
        Metrics: new Dictionary<string, double> { ["temperature"] = 0.07 });

    static EvaluationRecord Eval(long step) => new(step, new Dictionary<string, double> { ["val_r1"] = 0.5 });

    [Theory]
    [InlineData(25)]
    [InlineData(7)]
    [InlineData(250)]
    public void RedirectedOutputGetsALineAtTheFirstStepEveryTenthAndTheLastNeverRewritten(long steps)
    {
        var output = new StringWriter();
        var progress = new PlainProgressLines(steps, output);
        for (long s = 1; s <= steps; s++)
        {
            progress.Step(Step(s));
            if (s == steps / 2) progress.Eval(Eval(s));
        }

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        long every = Math.Max(1, steps / 10);
        var expected = Enumerable.Range(1, (int)steps).Where(s => s == 1 || s % every == 0 || s == steps).Select(s => (long)s).ToList();
        var stepLines = lines.Where(l => l.StartsWith("step")).ToList();
        Assert.Equal(expected, stepLines.Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].Split('/')[0])));
        Assert.All(stepLines, l => Assert.Contains($"/{steps}  loss", l));
        Assert.Single(lines, l => l == $"  eval at step {steps / 2}: val_r1 0.5");
        Assert.DoesNotContain('\r', output.ToString());
        Assert.DoesNotContain('\u001b', output.ToString());
        Assert.True(progress.TrainingSeconds > 0);
    }

    [Fact]
    public void AnInteractiveTerminalGetsSpectresLiveBarWithTheLatestStepAndEvaluationsAboveIt()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 80;   // the narrowest usual terminal: the figures, bar and percentage share one line

        double seconds = LiveProgressBar.Run(console, 20, progress =>
        {
            for (long s = 1; s <= 20; s++)
            {
                progress.Step(Step(s));
                if (s == 10) progress.Eval(Eval(s));
            }
            return progress.TrainingSeconds;
        });

        string shown = output.ToString();
        Assert.Contains(shown.Split('\n'), line => line.Contains("step 20/20  loss 0.1500  τ 0.0700") && line.Contains("100%"));
        Assert.Contains("  eval at step 10: val_r1 0.5", shown);
        Assert.Contains("\u001b[", shown);   // drawn with escape codes: a live display, not plain lines
        Assert.True(seconds > 0);
    }
}
