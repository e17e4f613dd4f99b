using System.Diagnostics;
using Workbench.Training;

namespace Workbench.Sweeps;

/// <summary>
/// Runs one trial and records how it ended in its <see cref="TrialFolder"/>. As a child process
/// (<see cref="RunProcessAsync"/>, what the CLI and Slurm do) a crash or an out-of-memory kill loses that trial only and
/// is still recorded, with the exit code and the process's last error lines; in-process (<see cref="RunInProcess"/>,
/// for notebooks) an exception is recorded the same way. A trial with a checkpoint from an earlier attempt resumes it.
/// </summary>
public static class TrialRunner
{
    /// <summary>Error lines kept for <see cref="TrialStatus.Error"/>.</summary>
    const int ErrorLines = 6;

    /// <summary>
    /// Trains the trial with <c>workbench train</c> in a child process (its output goes to <c>output.log</c>), then writes
    /// <c>status.json</c>. Returns null, writing no status, when cancelled (the trial runs again next time).
    /// </summary>
    /// <param name="folder">The trial's folder.</param>
    /// <param name="command">How to start the CLI.</param>
    /// <param name="threads">Intra-op threads of the child (<c>OMP_NUM_THREADS</c>); null leaves the environment's.</param>
    /// <param name="cancel">Stops the child.</param>
    public static async Task<TrialStatus?> RunProcessAsync(TrialFolder folder, TrialCommand command, int? threads = null, CancellationToken cancel = default)
    {
        var watch = Stopwatch.StartNew();
        Begin(folder);
        var args = folder.Trial.TrainArguments(folder.Path, resume: Checkpoint.Latest(folder.Path) is not null);
        var info = command.StartInfo(args);
        if (threads is int t) info.Environment["OMP_NUM_THREADS"] = t.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var lastErrors = new Queue<string>();
        using var output = new StreamWriter(new FileStream(folder.Output, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        output.WriteLine($"# {DateTime.UtcNow:O} on {Environment.MachineName}: {command.ShellLine(args)}");
        void Line(string? line, bool error)
        {
            if (line is null) return;
            lock (output)
            {
                output.WriteLine(line);
                if (error && line.Trim().Length > 0)
                {
                    lastErrors.Enqueue(line.Trim());
                    if (lastErrors.Count > ErrorLines) lastErrors.Dequeue();
                }
            }
        }

        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Line(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => Line(e.Data, error: true);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return Finish(folder, watch, 127, $"could not start {command.Program}: {e.Message}");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancel);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return null;
        }
        process.WaitForExit();   // drains the output events
        int code = process.ExitCode;
        string? error;
        lock (output)
            error = code == 0 ? null
                : lastErrors.Count > 0 ? string.Join(" | ", lastErrors)
                : code is 137 or -9 ? $"killed (exit code {code}): out of memory, or stopped by the scheduler"
                : $"exited with code {code}";
        return Finish(folder, watch, code, error);
    }

    /// <summary>Trains the trial in this process through <see cref="TrainableMethods"/>, then writes <c>status.json</c>; null when cancelled.</summary>
    public static TrialStatus? RunInProcess(TrialFolder folder, CancellationToken cancel = default)
    {
        var watch = Stopwatch.StartNew();
        Begin(folder);
        var trial = folder.Trial;
        try
        {
            var method = TrainableMethods.Named(trial.Method);
            var config = method.Configure(trial.Data, trial.Preset, trial.Seed, trial.Settings);
            void Log(string line) => File.AppendAllText(folder.Output, line + "\n");
            Log($"# {DateTime.UtcNow:O} on {Environment.MachineName}: in-process {trial.Method} {string.Join(' ', trial.Settings)}");
            var report = method.Train(config, folder.Path, resume: Checkpoint.Latest(folder.Path) is not null, Log, cancel);
            return report is null ? null : Finish(folder, watch, 0, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Finish(folder, watch, 1, $"{e.GetType().Name}: {e.Message}");
        }
    }

    static void Begin(TrialFolder folder)
    {
        Directory.CreateDirectory(folder.Path);
        folder.WriteTrial();
        folder.ClearStatus();
    }

    static TrialStatus Finish(TrialFolder folder, Stopwatch watch, int code, string? error)
    {
        if (code == 0 && !folder.Run.IsComplete) (code, error) = (1, "the training ended without writing metrics.json");
        var status = new TrialStatus(code == 0, code, error, watch.Elapsed.TotalSeconds, DateTime.UtcNow, Environment.MachineName);
        folder.WriteStatus(status);
        return status;
    }
}
