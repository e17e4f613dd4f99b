using System.Text.Json;
using Workbench.Sweeps;

namespace Workbench.Tests.Sweeps;

/// <summary>
/// The emitted Slurm script, run for real: a one-node Slurm (<see cref="LocalSlurm"/>) runs a two-trial array with
/// sbatch, and gathering the sweep's folder gives the same results table a local run would.
/// </summary>
public sealed class SlurmSweepTests
{
    [SkippableFact]
    public void TheEmittedJobArrayRunsBothTrialsOnALocalSlurmAndTheGatheredTableHoldsBothRows()
    {
        Skip.If(LocalSlurm.SkipReason is not null, LocalSlurm.SkipReason);
        using var temp = new TempFolder();
        using var slurm = new LocalSlurm();
        File.WriteAllText(temp["sweep.json"], """
            { "name": "slurm-test", "method": "clip", "data": "shapes", "preset": "smoke",
              "set": { "Steps": 2, "LinearProbeSamples": 0, "RetrievalSamples": 50, "ValidationSamples": 32 },
              "axes": { "BatchSize": [16, 32] } }
            """);
        string folder = temp["out"];

        var emit = Cli.Run(temp.Path, TimeSpan.FromMinutes(1), "sweep", temp["sweep.json"], "--out", folder, "--emit", "slurm");
        Assert.True(emit.ExitCode == 0, emit.All);
        string script = Path.Combine(folder, SlurmScript.FileName);
        Assert.Contains("#SBATCH --array=0-1", File.ReadAllText(script));
        Assert.False(File.Exists(Path.Combine(folder, SweepResults.CsvFile)));   // emitting runs nothing

        var submitted = slurm.Run("sbatch", "--wait", script);
        Assert.True(submitted.ExitCode == 0, $"{submitted.All}\n{string.Join("\n", Directory.GetFiles(Path.Combine(folder, "slurm")).Select(File.ReadAllText))}\n{slurm.Log("slurmd.log")}");

        var gather = Cli.Run(temp.Path, TimeSpan.FromMinutes(1), "sweep", temp["sweep.json"], "--out", folder, "--gather");
        Assert.True(gather.ExitCode == 0, gather.All);
        Assert.Contains("2 done, 0 failed, 0 not run", gather.Stdout);
        var rows = File.ReadAllLines(Path.Combine(folder, SweepResults.JsonLinesFile)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["000_BatchSize-16_seed-0", "001_BatchSize-32_seed-0"], rows.Select(r => r.GetProperty("trial").GetString()));
        Assert.All(rows, r => Assert.Equal("ok", r.GetProperty("status").GetString()));
        Assert.Equal([16.0 * 2, 32.0 * 2], rows.Select(r => r.GetProperty("samples_seen").GetDouble()));
        Assert.All(rows, r => Assert.True(r.GetProperty("retrieval_text_to_image_r1").GetDouble() >= 0));
    }
}
