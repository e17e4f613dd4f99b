using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbench.Training;

/// <summary>What a checkpoint's <c>manifest.json</c> says: enough to know what it holds without loading it.</summary>
/// <param name="Step">The last completed step. The schedule is a pure function of the step, so this is also its state.</param>
/// <param name="LearningRate">The learning rate step <paramref name="Step"/> used.</param>
/// <param name="Config">The configuration of the run that wrote it.</param>
/// <param name="Parameters">Name and shape of every parameter and buffer of the model.</param>
/// <param name="SavedUtc">When it was written.</param>
public sealed record CheckpointManifest(
    long Step,
    double LearningRate,
    TrainerConfig Config,
    IReadOnlyDictionary<string, long[]> Parameters,
    DateTime SavedUtc);

/// <summary>
/// Checkpoints of a run: <c>OutputDir/checkpoints/step-00000010/</c> holds <c>model.bin</c> (TorchSharp
/// <c>Module.save</c>), <c>optimizer.bin</c> (AdamW's moments and step counts), <c>rng.bin</c> (TorchSharp's CPU
/// generator), <c>task.bin</c> (the task's own state, when it has any) and <c>manifest.json</c>.
/// <para>
/// Written atomically: every file goes into a fresh <c>step-….tmp-&lt;guid&gt;</c> folder, is flushed to disk, and the
/// folder is then renamed to its final name. A rename to a new name is atomic, so a <c>step-N</c> folder is always
/// complete; a crash leaves at worst a <c>.tmp-</c> folder, which is ignored and cleaned up.
/// </para>
/// </summary>
public static class Checkpoint
{
    /// <summary>The folder under OutputDir that holds the checkpoints.</summary>
    public const string FolderName = "checkpoints";
    /// <summary>The manifest file.</summary>
    public const string ManifestFile = "manifest.json";
    /// <summary>The model's parameters and buffers.</summary>
    public const string ModelFile = "model.bin";
    /// <summary>The optimizer state.</summary>
    public const string OptimizerFile = "optimizer.bin";
    /// <summary>The random generator state.</summary>
    public const string RandomStateFile = "rng.bin";
    /// <summary>The task's own state.</summary>
    public const string TaskStateFile = "task.bin";

    const string StepPrefix = "step-";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new IO.PairJsonConverter() },
    };

    /// <summary>The folder of the checkpoint of <paramref name="step"/> under <paramref name="outputDir"/>.</summary>
    public static string FolderFor(string outputDir, long step) =>
        Path.Combine(outputDir, FolderName, $"{StepPrefix}{step:D8}");

    /// <summary>The complete checkpoints under <paramref name="outputDir"/>, oldest first.</summary>
    public static IReadOnlyList<(long Step, string Path)> List(string outputDir)
    {
        string root = Path.Combine(outputDir, FolderName);
        if (!Directory.Exists(root)) return [];
        var found = new List<(long, string)>();
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            string name = Path.GetFileName(dir);
            if (name.StartsWith(StepPrefix, StringComparison.Ordinal)
                && long.TryParse(name.AsSpan(StepPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long step))
                found.Add((step, dir));
        }
        return found.OrderBy(c => c.Item1).ToList();
    }

    /// <summary>The newest complete checkpoint under <paramref name="outputDir"/>, or null.</summary>
    public static string? Latest(string outputDir) => List(outputDir).LastOrDefault().Path;

    /// <summary>Reads a checkpoint's manifest; throws naming the folder when it is not a checkpoint.</summary>
    public static CheckpointManifest ReadManifest(string checkpointDir)
    {
        string path = Path.Combine(checkpointDir, ManifestFile);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{checkpointDir}: not a checkpoint (it has no {ManifestFile}).", path);
        try
        {
            return JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path}: the manifest is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a checkpoint manifest ({e.Message}).", e);
        }
    }

    /// <summary>Writes the checkpoint of <paramref name="manifest"/>.Step atomically and returns its folder.</summary>
    internal static string Write(string outputDir, CheckpointManifest manifest, nn.Module model, OptimizerHelper optimizer, byte[]? taskState)
    {
        string final = FolderFor(outputDir, manifest.Step);
        string temp = $"{final}.tmp-{Guid.NewGuid():N}";
        Directory.CreateDirectory(temp);
        try
        {
            WriteDurably(Path.Combine(temp, ModelFile), writer => model.save(writer));
            WriteDurably(Path.Combine(temp, OptimizerFile), optimizer.save_state_dict);
            WriteDurably(Path.Combine(temp, RandomStateFile), writer =>
            {
                using var state = torch.random.get_rng_state();
                state.Save(writer);
            });
            if (taskState is not null) WriteDurably(Path.Combine(temp, TaskStateFile), writer => writer.Write(taskState));
            WriteDurably(Path.Combine(temp, ManifestFile), writer => writer.Write(JsonSerializer.SerializeToUtf8Bytes(manifest, Json)));
            if (Directory.Exists(final))
            {
                // Only when the same step is saved twice; the old copy stays complete until the new one is in place.
                string old = $"{final}.old-{Guid.NewGuid():N}";
                Directory.Move(final, old);
                Directory.Move(temp, final);
                Directory.Delete(old, recursive: true);
            }
            else
            {
                Directory.Move(temp, final);
            }
            return final;
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>
    /// Loads a checkpoint into the model, optimizer, random generator and task, after checking the model file fits
    /// the model (throws <see cref="CheckpointMismatchException"/> before anything is changed when it does not).
    /// </summary>
    internal static CheckpointManifest Load(string checkpointDir, nn.Module model, OptimizerHelper optimizer, ITrainingTask task)
    {
        var manifest = ReadManifest(checkpointDir);
        string modelFile = Path.Combine(checkpointDir, ModelFile);
        StateDictFile.Verify(modelFile, model);
        model.load(modelFile);

        string optimizerFile = Path.Combine(checkpointDir, OptimizerFile);
        try
        {
            optimizer.load_state_dict(optimizerFile);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"{optimizerFile}: the optimizer state does not fit this model's parameter groups ({e.Message}).", e);
        }

        using (var reader = new BinaryReader(File.OpenRead(Path.Combine(checkpointDir, RandomStateFile))))
        using (var state = TensorExtensionMethods.Load(reader))
            torch.random.set_rng_state(state);

        string taskFile = Path.Combine(checkpointDir, TaskStateFile);
        if (File.Exists(taskFile)) task.RestoreState(File.ReadAllBytes(taskFile));
        return manifest;
    }

    /// <summary>Deletes the checkpoints after <paramref name="step"/> (a resumed run rewrites that future) and stale temporary folders.</summary>
    internal static void DeleteAfter(string outputDir, long step)
    {
        foreach (var (s, path) in List(outputDir).Where(c => c.Step > step))
            Directory.Delete(path, recursive: true);
        DeleteTemporaryFolders(outputDir);
    }

    /// <summary>Keeps the newest <paramref name="keep"/> checkpoints (all when null).</summary>
    internal static void Prune(string outputDir, int? keep)
    {
        if (keep is not int count) return;
        var all = List(outputDir);
        foreach (var (_, path) in all.Take(Math.Max(0, all.Count - count)))
            Directory.Delete(path, recursive: true);
    }

    static void DeleteTemporaryFolders(string outputDir)
    {
        string root = Path.Combine(outputDir, FolderName);
        if (!Directory.Exists(root)) return;
        foreach (var dir in Directory.EnumerateDirectories(root, StepPrefix + "*.tmp-*"))
            Directory.Delete(dir, recursive: true);
    }

    static void WriteDurably(string path, Action<BinaryWriter> write)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
            writer.Flush();
        }
        stream.Flush(flushToDisk: true);
    }
}
