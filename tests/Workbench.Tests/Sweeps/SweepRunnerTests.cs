using System.Text.Json;
using Workbench.Sweeps;

namespace Workbench.Tests.Sweeps;

/// <summary>
/// The runner's bookkeeping, with a stand-in for <c>workbench train</c> (a shell script that writes metrics, or kills
/// itself with SIGKILL as the out-of-memory killer would): resuming, recording a crash, the results table.
/// </summary>
public sealed class SweepRunnerTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    string Calls => temp["calls.log"];

    /// <summary>"Trains" by writing metrics.json (score = the batch size) and training.json; BatchSize=17 dies by SIGKILL.</summary>
    TrialCommand FakeTrainer => new("/bin/sh", ["-c", $$"""
        out=""; batch=""; prev=""
        for a in "$@"; do
          [ "$prev" = "--out" ] && out="$a"
          case "$a" in BatchSize=*) batch="${a#BatchSize=}";; esac
          prev="$a"
        done
        echo "$out" >> '{{Calls}}'
        if [ "$batch" = "17" ]; then echo "fake trainer: out of memory" >&2; kill -9 $$; fi
        printf '{"score": %s}' "$batch" > "$out/metrics.json"
        printf '{"ParametersTrained": 1000, "Steps": 4, "SamplesPerStep": %s}' "$batch" > "$out/training.json"
        echo "trained $batch"
        """, "fake-workbench"]);

    static SweepDefinition Sweep(int[] batches, int[] seeds) => new()
    {
        Source = "test.json", Method = "clip", Preset = "smoke", Set = ["Steps=4"],
        Axes = [SweepAxis.Of("BatchSize", batches.Cast<object>().ToArray())], Seeds = seeds,
    };

    string[] Called() => File.Exists(Calls) ? File.ReadAllLines(Calls).Select(l => Path.GetFileName(l)).ToArray() : [];

    [SkippableFact]
    public void ACrashedTrialIsRecordedWithItsExitCodeAndErrorAndTheOthersFinish()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "the stand-in trainer is a POSIX shell script");
        string folder = temp["sweep"];
        var progress = new List<SweepProgress>();
        var results = SweepRunner.Run(Sweep([16, 17, 32], [0]), folder, new SweepOptions { Jobs = 2, Command = FakeTrainer, OnProgress = progress.Add });

        Assert.Equal((2, 1, 0), results.Counts);
        var crashed = results.Trials.Single(t => t.State == "failed");
        Assert.Equal("001_BatchSize-17_seed-0", crashed.Trial.Name);
        Assert.Equal(137, crashed.Status!.ExitCode);
        Assert.Contains("out of memory", crashed.Status.Error);
        Assert.Equal([16.0, double.NaN, 32.0], results.Numbers("score"));
        Assert.Equal(3, progress.Count);
        Assert.Equal((2, 1, 0), (progress[^1].Done, progress[^1].Failed, progress[^1].Left));

        // Each trial's folder: its definition, the trainer's output and how it ended.
        var trialFolder = Path.Combine(folder, crashed.Trial.Name);
        Assert.Contains("fake trainer: out of memory", File.ReadAllText(Path.Combine(trialFolder, TrialFolder.OutputFile)));
        Assert.Contains("\"BatchSize=17\"", File.ReadAllText(Path.Combine(trialFolder, TrialFolder.TrialFile)));
        Assert.Contains("\"ExitCode\": 137", File.ReadAllText(Path.Combine(trialFolder, TrialFolder.StatusFile)));

        // The table on disk: CSV and JSON lines hold every trial, the crash with its error.
        var csv = File.ReadAllLines(Path.Combine(folder, SweepResults.CsvFile));
        Assert.Equal(4, csv.Length);
        Assert.StartsWith("trial,index,method,data,preset,seed,BatchSize,status,exit_code,seconds,parameters_trained,steps,samples_seen,score,error", csv[0]);
        var rows = File.ReadAllLines(Path.Combine(folder, SweepResults.JsonLinesFile)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["ok", "failed", "ok"], rows.Select(r => r.GetProperty("status").GetString()));
        Assert.Equal(32 * 4, rows[2].GetProperty("samples_seen").GetDouble());
        Assert.Contains("out of memory", rows[1].GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("score").ValueKind);
    }

    [SkippableFact]
    public void AResumedSweepSkipsFinishedTrialsAndRunsTheRest()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "the stand-in trainer is a POSIX shell script");
        string folder = temp["sweep"];
        var first = SweepRunner.Run(Sweep([16, 17, 32], [0]), folder, new SweepOptions { Command = FakeTrainer });
        Assert.Equal((2, 1, 0), first.Counts);
        Assert.Equal(3, Called().Length);

        // One more seed: seeds are outermost, so the first three trials keep their names. The finished ones are
        // skipped; the crashed one and the new ones run.
        var skipped = new List<string>();
        var second = SweepRunner.Run(Sweep([16, 17, 32], [0, 1]), folder,
            new SweepOptions { Command = FakeTrainer, OnProgress = p => { if (p.Skipped) skipped.Add(p.Trial.Name); } });
        Assert.Equal(["000_BatchSize-16_seed-0", "002_BatchSize-32_seed-0"], skipped);
        Assert.Equal(["001_BatchSize-17_seed-0", "003_BatchSize-16_seed-1", "004_BatchSize-17_seed-1", "005_BatchSize-32_seed-1"], Called()[3..]);
        Assert.Equal((4, 2, 0), second.Counts);

        // The mean over seeds of each combination that succeeded.
        var means = second.MeanOverSeeds("score");
        Assert.Equal(["BatchSize=16", "BatchSize=32"], means.Select(m => m.Label));
        Assert.Equal([16.0, 32.0], means.Select(m => m.Interval.Mean));
        Assert.All(means, m => Assert.Equal(2, m.Interval.Count));

        // A sweep whose base settings changed would mix its results with the old ones: refused before anything runs.
        int calls = Called().Length;
        var changed = Sweep([16, 17, 32], [0]) with { Set = ["Steps=5"] };
        var error = Assert.Throws<ArgumentException>(() => SweepRunner.Run(changed, folder, new SweepOptions { Command = FakeTrainer }));
        Assert.Contains("000_BatchSize-16_seed-0", error.Message);
        Assert.Equal(calls, Called().Length);
    }

    [SkippableFact]
    public void TheResultsTableIsADataFrameThatFiltersAndReadsBackFromDisk()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "the stand-in trainer is a POSIX shell script");
        string folder = temp["sweep"];
        var results = SweepRunner.Run(Sweep([16, 17, 32], [0, 1]), folder, new SweepOptions { Jobs = 2, Command = FakeTrainer });

        var frame = results.ToDataFrame();
        Assert.Equal(6, frame.Rows.Count);
        Assert.Equal(results.Columns, frame.Columns.Select(c => c.Name));
        var ok = frame.Filter(frame["status"].ElementwiseEquals("ok"));
        Assert.Equal(4, ok.Rows.Count);
        Assert.Equal(16.0 + 32 + 16 + 32, ok["score"].Sum());

        var reread = SweepResults.ReadDataFrame(Path.Combine(folder, SweepResults.JsonLinesFile));
        Assert.Equal(6, reread.Rows.Count);
        Assert.Equal(frame["score"].Cast<object?>(), reread["score"].Cast<object?>());
        Assert.Equal(frame["trial"].Cast<object?>(), reread["trial"].Cast<object?>());

        var fit = results.FitPowerLaw("BatchSize", "score");
        Assert.Equal(1.0, fit.Exponent, 10);   // score = batch size exactly
    }
}
