using Workbench.Plots;
using Workbench.Training;

namespace Workbench.Tests.Plots;

/// <summary>A notebook's live training view, fed from a run folder's log when the run was found in the cache.</summary>
public sealed class TrainingProgressLogTests
{
    [Fact]
    public void AddLogDrawsEveryLoggedStepAndShowsTheLastEvaluation()
    {
        using var temp = new TempFolder();
        var (log, kept) = MetricsLog.Open(Path.Combine(temp.Path, MetricsLog.FileName), keepThroughStep: 0);
        Assert.Empty(kept);
        using (log)
        {
            for (long step = 1; step <= 4; step++)
                log.Append(new StepRecord(step, Loss: 4.0 / step, LearningRate: 1e-3, StepsPerSecond: 2.5, SamplesPerSecond: null,
                    Metrics: new Dictionary<string, double>(),
                    Evaluation: step % 2 == 0 ? new Dictionary<string, double> { ["val_vqa_exact_match"] = step / 10.0 } : null));
        }

        var progress = new TrainingProgress("stage 2", totalSteps: 4).AddLog(temp.Path);

        string status = progress.Status();
        Assert.StartsWith("stage 2: step 4/4 · loss 1.0000 · 2.50 steps/s", status);
        Assert.EndsWith("val_vqa_exact_match 0.4", status);   // the last of the two evaluations
        // The loss curve holds the four logged steps, not only the last.
        var trace = System.Text.Json.Nodes.JsonNode.Parse(progress.Chart().ToJson())!["data"]!.AsArray().Single()!;
        Assert.Equal([1.0, 2.0, 3.0, 4.0], trace["x"]!.AsArray().Select(x => x!.GetValue<double>()));
        Assert.Equal([4.0, 2.0, 4.0 / 3, 1.0], trace["y"]!.AsArray().Select(y => y!.GetValue<double>()));
    }
}
