using System.Text.Json;
using System.Text.Json.Serialization;
using Workbench.IO;
using Workbench.Text;

namespace Workbench.Training.Runs;

/// <summary>
/// The folder of one training run, the same for every method: <c>run.json</c> (the configuration),
/// <c>tokenizer.json</c>, <c>log.jsonl</c> and <c>checkpoints/</c> (written by the <see cref="Trainer"/>) and
/// <c>metrics.json</c> (the held-out figures, written when the run completes). Every file is written atomically.
/// </summary>
public sealed class RunFolder
{
    /// <summary>The configuration file.</summary>
    public const string ConfigFile = "run.json";
    /// <summary>The held-out figures, a flat name → number object.</summary>
    public const string MetricsFile = "metrics.json";
    /// <summary>The tokenizer (<see cref="Text.TokenizerFile"/>: a word vocabulary, or the name of a packaged one).</summary>
    public const string TokenizerFile = "tokenizer.json";
    /// <summary>What the training cost (<see cref="TrainingSummary"/>), written with the metrics.</summary>
    public const string TrainingFile = "training.json";

    /// <summary>How configurations and metrics are written: indented, enums by name.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(), new PairJsonConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>A run folder at <paramref name="path"/> (it need not exist yet).</summary>
    public RunFolder(string path) => Path = path;

    /// <summary>The folder.</summary>
    public string Path { get; }

    string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Whether the folder holds a run's configuration.</summary>
    public bool HasConfig => System.IO.File.Exists(File(ConfigFile));

    /// <summary>Whether the run completed (its metrics were written).</summary>
    public bool IsComplete => System.IO.File.Exists(File(MetricsFile));

    /// <summary>Writes the configuration and the tokenizer, creating the folder.</summary>
    public void WriteSetup<TConfig>(TConfig config, ITextTokenizer tokenizer)
    {
        Directory.CreateDirectory(Path);
        AtomicFile.WriteAllText(File(ConfigFile), JsonSerializer.Serialize(config, Json));
        Text.TokenizerFile.Save(tokenizer, File(TokenizerFile));
    }

    /// <summary>Reads the configuration; throws naming the file when it is missing, damaged or of another method.</summary>
    public TConfig ReadConfig<TConfig>() where TConfig : IMethodConfig
    {
        string path = File(ConfigFile);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"{Path} is not a run folder: {path} is missing.", path);
        TConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<TConfig>(System.IO.File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid run configuration ({e.Message}).", e);
        }
        if (config is null) throw new InvalidDataException($"{path}: empty.");
        string method = MethodOf(path);
        if (method != config.Method)
            throw new InvalidDataException($"{path}: a '{method}' run, not a '{config.Method}' run.");
        return config;
    }

    /// <summary>The method name stored in a run folder's configuration ("clip", "lm", ...).</summary>
    public string Method => MethodOf(File(ConfigFile));

    static string MethodOf(string path)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{System.IO.Path.GetDirectoryName(path)} is not a run folder: {path} is missing.", path);
        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllText(path));
            return document.RootElement.TryGetProperty(nameof(IMethodConfig.Method), out var method) && method.GetString() is { } name
                ? name
                : throw new InvalidDataException($"{path}: no \"{nameof(IMethodConfig.Method)}\" field.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>Throws when the folder already holds a run with another configuration (a resume must match).</summary>
    public void CheckSameConfig<TConfig>(TConfig config) where TConfig : IMethodConfig
    {
        if (!HasConfig) return;
        var saved = ReadConfig<TConfig>();
        string a = JsonSerializer.Serialize(saved, Json), b = JsonSerializer.Serialize(config, Json);
        if (a != b)
            throw new ArgumentException($"{File(ConfigFile)} describes a different run ({saved.Data}, {saved.Preset}, seed {saved.Trainer.Seed}); resume with the same settings or use another --out.");
    }

    /// <summary>Reads the tokenizer the run was trained with, of whichever kind (<see cref="Text.TokenizerFile"/>).</summary>
    public ITextTokenizer ReadTokenizer() => Text.TokenizerFile.Load(File(TokenizerFile));

    /// <summary>Writes the held-out figures atomically.</summary>
    public void WriteMetrics(IReadOnlyDictionary<string, double> metrics)
    {
        Directory.CreateDirectory(Path);
        AtomicFile.WriteAllText(File(MetricsFile), JsonSerializer.Serialize(metrics, Json));
    }

    /// <summary>Reads the held-out figures, or null when the run has none yet.</summary>
    public IReadOnlyDictionary<string, double>? ReadMetrics()
    {
        string path = File(MetricsFile);
        if (!System.IO.File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, double>>(System.IO.File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a metrics file ({e.Message}).", e);
        }
    }

    /// <summary>Writes what the training cost atomically.</summary>
    public void WriteTraining(TrainingSummary summary)
    {
        Directory.CreateDirectory(Path);
        AtomicFile.WriteAllText(File(TrainingFile), JsonSerializer.Serialize(summary, Json));
    }

    /// <summary>Reads what the training cost, or null when the run has not written it (not complete, or older than the file).</summary>
    public TrainingSummary? ReadTraining()
    {
        string path = File(TrainingFile);
        if (!System.IO.File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TrainingSummary>(System.IO.File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a training summary ({e.Message}).", e);
        }
    }

    /// <summary>The newest checkpoint folder; throws naming the folder when there is none.</summary>
    public string LatestCheckpoint() => Checkpoint.Latest(Path)
        ?? throw new FileNotFoundException($"{Path}: no checkpoint under {System.IO.Path.Combine(Path, Checkpoint.FolderName)}.");
}
