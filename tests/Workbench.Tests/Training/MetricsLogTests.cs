using Workbench.Training;

namespace Workbench.Tests.Training;

public sealed class MetricsLogTests : IDisposable
{
    readonly string path = Path.Combine(Path.GetTempPath(), $"workbench-log-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(path);

    static StepRecord Record(long step) => new(step, 1.0 / step, 0.1, 5, null, new Dictionary<string, double> { ["grad_norm"] = step });

    [Fact]
    public void OpeningAtAStepDropsLaterLinesAndATornLastLine()
    {
        using (var log = MetricsLog.Open(path, 0).Log)
            for (long s = 1; s <= 5; s++) log.Append(Record(s));
        File.AppendAllText(path, "{\"step\":6,\"lo");   // a crash in the middle of a line

        var (reopened, kept) = MetricsLog.Open(path, keepThroughStep: 3);
        using (reopened) reopened.Append(Record(4));

        Assert.Equal([1L, 2L, 3L], kept.Select(r => r.Step));
        var all = MetricsLog.Read(path);
        Assert.Equal([1L, 2L, 3L, 4L], all.Select(r => r.Step));
        Assert.Equal(1.0 / 3, all[2].Loss);   // doubles survive the round trip exactly
        Assert.Equal(3, all[2].Metrics["grad_norm"]);
    }

    [Fact]
    public void ABadLineInTheMiddleIsReportedWithFileAndLine()
    {
        File.WriteAllText(path, "{\"step\":1,\"loss\":1,\"learning_rate\":0,\"steps_per_second\":1,\"metrics\":{}}\nnot json\n{\"step\":3,\"loss\":1,\"learning_rate\":0,\"steps_per_second\":1,\"metrics\":{}}\n");
        var error = Assert.Throws<InvalidDataException>(() => MetricsLog.Read(path));
        Assert.StartsWith($"{path}:2:", error.Message);
    }
}
