using Workbench.Plots;
using Workbench.Training;

namespace Workbench.Tests.Plots;

public sealed class RunsProgressTests
{
    static StepRecord Step(long step, double loss) => new(step, loss, 1e-3, 2.0, null, new Dictionary<string, double>());

    [Fact]
    public void ALogLineOrAStepCountThatFallsBackStartsANewRun()
    {
        var progress = new RunsProgress("prerequisites");
        progress.Log("clip: training the prerequisite run in /tmp/clip-1");
        progress.Add(Step(1, 3.0)).Add(Step(2, 2.0));
        progress.Log("lm: using the trained run in /tmp/lm-1");
        progress.Log("llava: training the prerequisite run in /tmp/llava-1");
        progress.Add(Step(1, 4.0));
        progress.Add(Step(1, 5.0));   // no log line, but the count fell back

        Assert.Equal(["1. clip", "2. llava", "3. run"], progress.Runs);
        Assert.Equal(3, System.Text.Json.Nodes.JsonNode.Parse(progress.Chart().ToJson())!["data"]!.AsArray().Count);
        Assert.Contains("lm: using the trained run", progress.ToHtml());
        Assert.Contains("2. llava step 1 · loss 4.0000", progress.Status());
    }

    [Fact]
    public void NothingTrainedShowsTheLogAndNoChart()
    {
        var progress = new RunsProgress("prerequisites").Log("lm: using the trained run in /tmp/lm-1").Log("lm: using the trained run in /tmp/lm-1");

        Assert.Empty(progress.Runs);
        Assert.DoesNotContain("workbench-chart", progress.ToHtml());
        Assert.Equal("lm: using the trained run in /tmp/lm-1" + Environment.NewLine + "prerequisites: nothing trained", progress.ToString());
    }
}
