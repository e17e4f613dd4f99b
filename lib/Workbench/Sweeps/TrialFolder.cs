using System.Text.Json;
using Workbench.IO;
using Workbench.Training.Runs;

namespace Workbench.Sweeps;

/// <summary>How a trial ended.</summary>
/// <param name="Succeeded">Whether it trained and wrote its held-out metrics.</param>
/// <param name="ExitCode">The training process's exit code (0 for an in-process trial that succeeded, 1 for one that threw).</param>
/// <param name="Error">What went wrong: the process's last error lines or the exception's message; null on success.</param>
/// <param name="Seconds">Wall time of the attempt.</param>
/// <param name="Finished">When it ended (UTC).</param>
/// <param name="Host">The machine it ran on (a Slurm node, or this one).</param>
public sealed record TrialStatus(bool Succeeded, int ExitCode, string? Error, double Seconds, DateTime Finished, string Host);

/// <summary>
/// The folder of one trial, <c>DIR/&lt;trial&gt;/</c>: <c>trial.json</c> (which trial, its settings and command line),
/// <c>output.log</c> (what the training printed), <c>status.json</c> (how it ended) and the run folder's own files
/// (<c>run.json</c>, <c>log.jsonl</c>, TensorBoard events, <c>metrics.json</c>, <c>training.json</c>). Every JSON file is
/// written atomically, so a gatherer never reads half a file.
/// </summary>
public sealed class TrialFolder
{
    /// <summary>The trial's definition.</summary>
    public const string TrialFile = "trial.json";
    /// <summary>How the trial ended.</summary>
    public const string StatusFile = "status.json";
    /// <summary>The training process's output.</summary>
    public const string OutputFile = "output.log";

    /// <summary>The folder of <paramref name="trial"/> under the sweep's output folder.</summary>
    public TrialFolder(string sweepFolder, SweepTrial trial) => (Path, Trial) = (System.IO.Path.Combine(sweepFolder, trial.Name), trial);

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>The trial.</summary>
    public SweepTrial Trial { get; }

    /// <summary>The run folder the training writes (the same folder).</summary>
    public RunFolder Run => new(Path);

    /// <summary>The training process's output file.</summary>
    public string Output => File(OutputFile);

    string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <c>trial.json</c>, after checking that the folder does not hold another sweep's trial.</summary>
    public void WriteTrial()
    {
        CheckSameTrial();
        AtomicFile.WriteAllText(File(TrialFile), JsonSerializer.Serialize(Trial, RunFolder.Json));
    }

    /// <summary>Throws naming the folder when it holds a trial with other settings (the sweep file changed): finished results would be mixed up.</summary>
    public void CheckSameTrial()
    {
        string path = File(TrialFile);
        if (!System.IO.File.Exists(path)) return;
        string expected = JsonSerializer.Serialize(Trial, RunFolder.Json);
        string found = System.IO.File.ReadAllText(path);
        if (found != expected)
            throw new ArgumentException($"{path} describes another trial than this sweep's {Trial.Name} (the sweep file changed since it ran): use another --out, or delete the folder.");
    }

    /// <summary>How the trial ended, or null when it has not ended (never ran, running, or its process died before it could say).</summary>
    public TrialStatus? ReadStatus()
    {
        string path = File(StatusFile);
        if (!System.IO.File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TrialStatus>(System.IO.File.ReadAllText(path), RunFolder.Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a trial status ({e.Message}).", e);
        }
    }

    /// <summary>Writes how the trial ended.</summary>
    public void WriteStatus(TrialStatus status) => AtomicFile.WriteAllText(File(StatusFile), JsonSerializer.Serialize(status, RunFolder.Json));

    /// <summary>Forgets an earlier attempt's ending, before a new attempt.</summary>
    public void ClearStatus()
    {
        if (System.IO.File.Exists(File(StatusFile))) System.IO.File.Delete(File(StatusFile));
    }

    /// <summary>Whether the trial finished successfully (it is skipped when the sweep runs again).</summary>
    public bool IsFinished => ReadStatus() is { Succeeded: true } && Run.IsComplete;
}
