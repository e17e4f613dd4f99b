namespace Workbench.Sweeps;

/// <summary>A trial ended (or was found finished): the counts so far, for a progress display.</summary>
/// <param name="Trial">The trial.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Skipped">Whether it had finished in an earlier run of the sweep.</param>
/// <param name="Done">Trials that succeeded so far (skipped ones included).</param>
/// <param name="Failed">Trials that failed so far.</param>
/// <param name="Total">Trials in the sweep.</param>
public sealed record SweepProgress(SweepTrial Trial, TrialStatus Status, bool Skipped, int Done, int Failed, int Total)
{
    /// <summary>Trials not yet ended.</summary>
    public int Left => Total - Done - Failed;
}

/// <summary>How <see cref="SweepRunner.Run"/> runs the trials.</summary>
public sealed record SweepOptions
{
    /// <summary>Trials at once, each its own process (in-process trials run one at a time).</summary>
    public int Jobs { get; init; } = 1;
    /// <summary>
    /// Train in this process instead of child processes: no process start-up (faster for tiny trials, e.g. in a
    /// notebook), but a crash of the native library takes the sweep down with it. TorchSharp's random state is
    /// process-wide, so in-process trials run one at a time.
    /// </summary>
    public bool InProcess { get; init; }
    /// <summary>How child processes start the CLI (default: the CLI beside <c>Workbench.dll</c>).</summary>
    public TrialCommand? Command { get; init; }
    /// <summary>Told as each trial ends.</summary>
    public Action<SweepProgress>? OnProgress { get; init; }
}

/// <summary>
/// Runs a sweep into a folder: every trial not finished there yet (so a stopped sweep resumes where it was), up to
/// <see cref="SweepOptions.Jobs"/> at once, each recording how it ended; a failed trial is recorded and the others go
/// on. The results table is rewritten atomically after every trial.
/// </summary>
public static class SweepRunner
{
    /// <summary>Runs <paramref name="sweep"/>'s unfinished trials into <paramref name="folder"/> and returns the results table.</summary>
    /// <exception cref="ArgumentException">The sweep names an unknown axis, method, preset or value (nothing ran), or the folder holds another sweep's trials.</exception>
    public static SweepResults Run(SweepDefinition sweep, string folder, SweepOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new SweepOptions();
        if (options.Jobs < 1) throw new ArgumentException($"Jobs must be at least 1 (got {options.Jobs}).");
        var trials = sweep.Trials();
        Directory.CreateDirectory(folder);
        var folders = trials.Select(t => new TrialFolder(folder, t)).ToList();
        foreach (var f in folders) f.CheckSameTrial();   // before anything runs

        int done = 0, failed = 0;
        var gate = new object();
        void Ended(TrialFolder f, TrialStatus status, bool skipped)
        {
            lock (gate)
            {
                if (status.Succeeded) done++; else failed++;
                if (!skipped) SweepResults.Gather(trials, folder).Write(folder);
                options.OnProgress?.Invoke(new SweepProgress(f.Trial, status, skipped, done, failed, trials.Count));
            }
        }

        var pending = new List<TrialFolder>();
        foreach (var f in folders)
        {
            if (f.IsFinished) Ended(f, f.ReadStatus()!, skipped: true);
            else pending.Add(f);
        }
        SweepResults.Gather(trials, folder).Write(folder);

        if (options.InProcess)
        {
            foreach (var f in pending)
            {
                if (cancel.IsCancellationRequested) break;
                if (TrialRunner.RunInProcess(f, cancel) is { } status) Ended(f, status, skipped: false);
            }
        }
        else
        {
            var command = options.Command ?? TrialCommand.Default;
            int? threads = Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null ? Math.Max(1, Environment.ProcessorCount / options.Jobs) : null;
            try
            {
                Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = options.Jobs, CancellationToken = cancel }, async (f, token) =>
                {
                    if (await TrialRunner.RunProcessAsync(f, command, threads, token) is { } status) Ended(f, status, skipped: false);
                }).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                // Stopped: unfinished trials have no status and run again next time.
            }
        }
        return SweepResults.Gather(trials, folder);
    }

    /// <summary>The results table of whatever trials have ended in <paramref name="folder"/>, however they ran (here, or as Slurm array tasks); rewrites the table files.</summary>
    public static SweepResults Gather(SweepDefinition sweep, string folder)
    {
        var results = SweepResults.Gather(sweep.Trials(), folder);
        if (Directory.Exists(folder)) results.Write(folder);
        return results;
    }

    /// <summary>Runs one trial, by its index, as a child process (a Slurm array task does this) and records how it ended.</summary>
    public static TrialStatus? RunTrial(SweepDefinition sweep, string folder, int index, TrialCommand? command = null, CancellationToken cancel = default)
    {
        var trials = sweep.Trials();
        if (index < 0 || index >= trials.Count) throw new ArgumentException($"{sweep.Source}: trial {index} does not exist; the sweep has trials 0 to {trials.Count - 1}.");
        var trialFolder = new TrialFolder(folder, trials[index]);
        if (trialFolder.IsFinished) return trialFolder.ReadStatus();
        return TrialRunner.RunProcessAsync(trialFolder, command ?? TrialCommand.Default, cancel: cancel).GetAwaiter().GetResult();
    }
}
