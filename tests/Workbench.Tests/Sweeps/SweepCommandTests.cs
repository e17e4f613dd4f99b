using System.Text.Json;
using Workbench.Sweeps;

namespace Workbench.Tests.Sweeps;

/// <summary><c>workbench sweep</c> end to end: real CLIP trainings (smoke preset, a few seconds each), each its own process.</summary>
public sealed class SweepCommandTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void ASweepTrainsEachTrialRecordsTheOneThatFailsAndSkipsFinishedTrialsWhenRunAgain()
    {
        // TrainSamples 999999 passes the type check but not the data: that trial fails when it opens the data.
        File.WriteAllText(temp["sweep.json"], """
            { "method": "clip", "data": "shapes", "preset": "smoke",
              "set": { "Steps": 2, "LinearProbeSamples": 0, "RetrievalSamples": 50, "ValidationSamples": 32 },
              "axes": { "TrainSamples": [300, 999999] } }
            """);
        string folder = temp["out"];
        var first = Cli.Run(temp.Path, TimeSpan.FromMinutes(5), "sweep", temp["sweep.json"], "--out", folder, "--jobs", "2");

        Assert.True(first.ExitCode == 1, first.All);   // a failed trial fails the command, after the others finished
        Assert.Contains("1 done, 1 failed", first.Stdout);
        var rows = File.ReadAllLines(Path.Combine(folder, SweepResults.JsonLinesFile)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["ok", "failed"], rows.Select(r => r.GetProperty("status").GetString()));
        Assert.True(rows[0].GetProperty("retrieval_text_to_image_r1").GetDouble() >= 0);
        Assert.True(rows[0].GetProperty("parameters_trained").GetDouble() > 100_000);
        Assert.Equal(2, rows[0].GetProperty("steps").GetDouble());
        Assert.Equal(2, rows[1].GetProperty("exit_code").GetDouble());
        Assert.Contains("TrainSamples 999999", rows[1].GetProperty("error").GetString());

        // The trial's folder is a run folder (configuration, log, TensorBoard events, metrics) plus the sweep's files.
        string trial = Path.Combine(folder, "000_TrainSamples-300_seed-0");
        foreach (var name in new[] { "run.json", "log.jsonl", "metrics.json", "training.json", TrialFolder.TrialFile, TrialFolder.StatusFile, TrialFolder.OutputFile })
            Assert.True(File.Exists(Path.Combine(trial, name)), $"{name} missing in {trial}");
        Assert.NotEmpty(Directory.GetFiles(trial, "events.out.tfevents.*"));
        Assert.Contains("\"TrainSamples\": 300", File.ReadAllText(Path.Combine(trial, "run.json")));

        var second = Cli.Run(temp.Path, TimeSpan.FromMinutes(5), "sweep", temp["sweep.json"], "--out", folder);
        Assert.Contains("000_TrainSamples-300_seed-0 finished earlier (skipped)", second.Stdout);
        Assert.Contains("001_TrainSamples-999999_seed-0 FAILED", second.Stdout);
    }

    [Fact]
    public void AnUnknownAxisFailsBeforeAnyTrialRunsNamingIt()
    {
        File.WriteAllText(temp["sweep.json"], """{ "method": "clip", "preset": "smoke", "axes": { "Widht": [64, 128] } }""");
        var result = Cli.Run(temp.Path, TimeSpan.FromMinutes(1), "sweep", temp["sweep.json"], "--out", temp["out"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("sweep.json", result.Stderr);
        Assert.Contains("axis \"Widht\"", result.Stderr);
        Assert.False(Directory.Exists(temp["out"]));
    }
}
