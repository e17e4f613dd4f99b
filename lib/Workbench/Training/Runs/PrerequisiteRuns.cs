using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using Workbench.IO;

namespace Workbench.Training.Runs;

/// <summary>
/// Runs that other methods stand on (LLaVA's vision tower and language model), trained on demand and kept under
/// <c>artifacts/prerequisites/&lt;method&gt;-&lt;key&gt;/</c>, where the key is a hash of the configuration and of the data's
/// identity. The first notebook or command that needs one trains it (resuming if an earlier attempt was cut short);
/// every later one loads it.
/// </summary>
public static class PrerequisiteRuns
{
    /// <summary>Where prerequisites live unless told otherwise.</summary>
    public static string DefaultRoot => Path.Combine(WorkbenchPaths.Artifacts, "prerequisites");

    /// <summary>
    /// The folder for a configuration: a hash of its JSON, of the data's identity and of <paramref name="provenance"/>
    /// (what else the run stands on, <see cref="MethodRun{TConfig, TModel, TReport}.Provenance"/>; null adds nothing).
    /// </summary>
    public static string FolderFor<TConfig>(TConfig config, string? root = null, string? provenance = null) where TConfig : IMethodConfig
    {
        string json = JsonSerializer.Serialize(config, RunFolder.Json);
        string identity = json + "\n" + DataIdentity(config.Data) + (provenance is null ? "" : "\n" + provenance);
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..12];
        return Path.Combine(root ?? DefaultRoot, $"{config.Method}-{key}");
    }

    /// <summary>
    /// The completed run folder of <paramref name="run"/>'s configuration: trained there now if it is missing, resumed if
    /// an earlier attempt stopped before its end.
    /// </summary>
    /// <param name="run">The prerequisite run.</param>
    /// <param name="onStep">Progress of a training that has to happen.</param>
    /// <param name="log">Told whether the run was found or is being trained.</param>
    /// <param name="root">The cache folder (default <see cref="DefaultRoot"/>).</param>
    /// <param name="onEval">Held-out figures of a training that has to happen, as the trainer computes them.</param>
    public static string Ensure<TConfig, TModel, TReport>(MethodRun<TConfig, TModel, TReport> run, Action<StepRecord>? onStep = null,
        Action<string>? log = null, string? root = null, Action<EvaluationRecord>? onEval = null)
        where TConfig : IMethodConfig where TModel : torch.nn.Module where TReport : class, IRunReport
    {
        string folder = FolderFor(run.Config, root, run.Provenance);
        var runFolder = new RunFolder(folder);
        if (runFolder.IsComplete)
        {
            log?.Invoke($"{run.Config.Method}: using the trained run in {folder}");
            return folder;
        }
        // Two processes (notebooks, sweep trials run with --jobs) may need the same missing run at once: one trains it, the
        // other waits for it and then uses it.
        using var exclusive = Lock(folder + ".lock", () => log?.Invoke($"{run.Config.Method}: waiting for another process training {folder}"));
        if (runFolder.IsComplete)
        {
            log?.Invoke($"{run.Config.Method}: using the run another process trained in {folder}");
            return folder;
        }
        bool resume = Checkpoint.Latest(folder) is not null;
        log?.Invoke($"{run.Config.Method}: {(resume ? "resuming" : "training")} the prerequisite run in {folder}");
        var result = run.Fit(folder, resume, onStep, onEval);
        result.Model.Dispose();
        return folder;
    }

    /// <summary>
    /// An exclusive lock on <paramref name="path"/> between processes (an open file no other process may share; on Linux
    /// .NET takes an advisory <c>flock</c>), waited for when another process holds it; released when disposed.
    /// </summary>
    static FileStream Lock(string path, Action onWait)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        bool told = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                if (!told) onWait();
                told = true;
                Thread.Sleep(500);
            }
        }
    }

    /// <summary>What identifies a data source besides its name: a caption file's size and time of change.</summary>
    static string DataIdentity(string data) => File.Exists(data) ? Identity(data) : data;

    /// <summary>What identifies a file (its full path, size and time of change) or a folder (its full path).</summary>
    public static string Identity(string path) =>
        File.Exists(path) ? $"{Path.GetFullPath(path)}|{new FileInfo(path).Length}|{File.GetLastWriteTimeUtc(path):O}" : Path.GetFullPath(path);
}
