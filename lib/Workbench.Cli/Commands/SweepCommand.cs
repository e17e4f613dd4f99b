using System.CommandLine;
using Workbench.Cli.Progress;
using Workbench.IO;
using Workbench.Sweeps;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench sweep FILE</c>: run an ablation sweep locally, emit it as a Slurm job array, run one of its trials, or gather its results.</summary>
static class SweepCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "The sweep file (JSON): base run, axes and seeds; see sweeps/ and the README." }
            .Check(f => f is null || f.Exists ? null : $"sweep file not found: {f}");
        var output = new Option<string?>("--out", "-o") { Description = "The sweep's folder: one folder per trial and results.csv/.jsonl (default artifacts/sweeps/<name>)." };
        output.Check(path => path is not null && string.IsNullOrWhiteSpace(path) ? "--out: give the folder to write to." : null);
        var jobs = new Option<int>("--jobs", "-j") { Description = "Trials at once, each its own process (with --emit slurm: array tasks at once).", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var emit = new Option<string?>("--emit") { Description = "Write a script instead of running: slurm (a job array, one task per trial)." };
        emit.AcceptOnlyFromAmong("slurm");
        var gather = new Option<bool>("--gather") { Description = "Run nothing: gather the trials that have ended (here or on Slurm) into the results table." };
        var trial = new Option<int?>("--trial") { Description = "Run only this trial (0-based), as a Slurm array task does." }.AtLeast(0);
        var command = new Command("sweep", "Run an ablation sweep: every trial its own process, resumable, failed trials recorded; or emit it for Slurm.")
        {
            file, output, jobs, emit, gather, trial,
        };
        command.SetAction((result, cancel) => Task.FromResult(Cli.Guard(() =>
        {
            string path = result.GetValue(file)!.FullName;
            var sweep = SweepDefinition.Load(path);
            var trials = sweep.Trials();   // every name and value checked before anything runs
            string folder = Path.GetFullPath(result.GetValue(output) ?? Path.Combine(WorkbenchPaths.Artifacts, "sweeps", sweep.Name));
            int exclusive = (result.GetValue(emit) is not null ? 1 : 0) + (result.GetValue(gather) ? 1 : 0) + (result.GetValue(trial) is not null ? 1 : 0);
            if (exclusive > 1) throw new ArgumentException("--emit, --gather and --trial each do one thing: give one of them.");

            if (result.GetValue(emit) is not null)
            {
                bool jobsGiven = result.GetResult(jobs) is { Implicit: false };
                string script = SlurmScript.Write(sweep, path, folder, TrialCommand.Default, jobsGiven ? result.GetValue(jobs) : null);
                Console.WriteLine($"{trials.Count} trials as a Slurm job array: {script}");
                Console.WriteLine($"submit: sbatch {TrialCommand.ShellQuote(script)}");
                Console.WriteLine($"then:   workbench sweep {TrialCommand.ShellQuote(path)} --out {TrialCommand.ShellQuote(folder)} --gather");
                return;
            }
            if (result.GetValue(trial) is int index)
            {
                var status = SweepRunner.RunTrial(sweep, folder, index, cancel: cancel);
                if (status is null) throw new CommandFailedException($"trial {index} was stopped before it ended.");
                Console.WriteLine($"trial {index} ({trials[index].Name}): {(status.Succeeded ? "ok" : "failed: " + status.Error)}");
                if (!status.Succeeded) throw new CommandFailedException($"trial {index} failed; see {Path.Combine(folder, trials[index].Name, TrialFolder.OutputFile)}.");
                return;
            }
            SweepResults results;
            if (result.GetValue(gather))
                results = SweepRunner.Gather(sweep, folder);
            else
            {
                Console.WriteLine($"sweep {sweep.Name}: {trials.Count} trials -> {folder}");
                results = SweepProgressBar.Show(trials.Count, onProgress =>
                    SweepRunner.Run(sweep, folder, new SweepOptions { Jobs = result.GetValue(jobs), OnProgress = onProgress }, cancel));
            }
            var (succeeded, failed, pending) = results.Counts;
            Console.WriteLine($"{succeeded} done, {failed} failed, {pending} not run; results: {Path.Combine(folder, SweepResults.CsvFile)}");
            foreach (var row in results.Trials.Where(t => t.State == "failed"))
                Console.WriteLine($"  failed: {row.Trial.Name}: {row.Status!.Error}");
            if (failed > 0 && !result.GetValue(gather)) throw new CommandFailedException($"{failed} of {trials.Count} trials failed (recorded in the results table; run the sweep again to retry them).");
        })));
        return command;
    }
}
