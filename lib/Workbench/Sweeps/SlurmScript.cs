using System.Text;

namespace Workbench.Sweeps;

/// <summary>
/// A Slurm job-array script for a sweep: array task <c>i</c> runs trial <c>i</c> with the same command a local sweep
/// uses (<c>workbench sweep FILE --out DIR --trial i</c>, which trains in a child process and records how it ended), on
/// a filesystem every node shares. Gather the table afterwards with <c>workbench sweep FILE --out DIR --gather</c>.
/// </summary>
public static class SlurmScript
{
    /// <summary>The script's file name in the sweep's folder.</summary>
    public const string FileName = "sweep.sbatch";

    /// <summary>The script's text.</summary>
    /// <param name="sweep">The sweep (its file must be readable from every node).</param>
    /// <param name="sweepFile">The sweep file's path, absolute.</param>
    /// <param name="folder">The sweep's output folder, absolute.</param>
    /// <param name="command">How a node starts the CLI.</param>
    /// <param name="jobs">At most this many array tasks at once (null: as many as Slurm allows).</param>
    public static string For(SweepDefinition sweep, string sweepFile, string folder, TrialCommand command, int? jobs = null)
    {
        int count = sweep.Trials().Count;
        string logs = Path.Combine(folder, "slurm");
        var script = new StringBuilder();
        script.Append("#!/bin/bash\n");
        script.Append($"# Sweep {sweep.Name}: {count} trials, one array task each. Submit with: sbatch {TrialCommand.ShellQuote(Path.Combine(folder, FileName))}\n");
        script.Append($"# Then gather the results table: {command.ShellLine(["sweep", sweepFile, "--out", folder, "--gather"])}\n");
        script.Append("# Add #SBATCH lines for your cluster (partition, time, memory) below.\n");
        script.Append($"#SBATCH --job-name={Slug(sweep.Name)}\n");
        script.Append($"#SBATCH --array=0-{count - 1}{(jobs is int j ? $"%{j}" : "")}\n");
        script.Append("#SBATCH --ntasks=1\n");
        script.Append("#SBATCH --cpus-per-task=1\n");
        script.Append($"#SBATCH --output={logs}/%A_%a.out\n");
        script.Append("set -euo pipefail\n");
        script.Append("export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n");
        script.Append($"cd {TrialCommand.ShellQuote(Environment.CurrentDirectory)}\n");
        script.Append($"exec {command.ShellLine(["sweep", sweepFile, "--out", folder, "--trial"])} \"$SLURM_ARRAY_TASK_ID\"\n");
        return script.ToString();
    }

    /// <summary>Writes the script into the sweep's folder (creating its <c>slurm/</c> log folder) and returns its path.</summary>
    public static string Write(SweepDefinition sweep, string sweepFile, string folder, TrialCommand command, int? jobs = null)
    {
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Path.Combine(folder, "slurm"));
        string path = Path.Combine(folder, FileName);
        IO.AtomicFile.WriteAllText(path, For(sweep, Path.GetFullPath(sweepFile), folder, command, jobs));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        return path;
    }

    static string Slug(string name)
    {
        string slug = new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
        return slug.Length == 0 ? "sweep" : slug;
    }
}
