using System.Text.Json;
using TorchSharp;
using Workbench.Data;
using Workbench.Data.Files;
using Workbench.Data.Loading;
using Workbench.Models.Clip;
using Workbench.Models.Language;
using Workbench.Training.Clip;
using Workbench.Training.Language;
using Workbench.Text;
using Workbench.Training.Runs;
using static TorchSharp.torch;

namespace Workbench.Training.VisionLanguage;

/// <summary>Where a vision-language run's two prerequisite runs are: the CLIP run (tower) and the language-model run.</summary>
/// <param name="Vision">The CLIP run folder.</param>
/// <param name="Language">The language-model run folder.</param>
public sealed record PrerequisiteFolders(string Vision, string Language);

/// <summary>
/// A run of a method that makes a frozen language model see through a frozen vision tower (LLaVA, Flamingo): the part
/// they share. It finds or trains the two prerequisite runs (<see cref="PrerequisiteRuns"/>), records where they are in
/// the run folder (<see cref="PrerequisitesFile"/>) so the run reloads on its own, opens the data's three splits, and
/// caches the tower's features. The tokenizer is the language model's.
/// </summary>
public abstract class VisionLanguageRun<TConfig, TModel> : MethodRun<TConfig, TModel, MetricsReport>
    where TConfig : IVisionLanguageConfig where TModel : nn.Module
{
    /// <summary>Opens the data splits of <paramref name="config"/> over the prerequisites in <paramref name="folders"/>.</summary>
    protected VisionLanguageRun(TConfig config, PrerequisiteFolders folders, ITextTokenizer tokenizer, DataSourceOptions? data)
        : base(config, tokenizer)
    {
        data ??= new DataSourceOptions(Seed: (int)config.Trainer.Seed);
        Prerequisites = folders;
        var train = DataSources.Open(config.Data, Split.Train, data);
        (Train, Validation, Test) = (config.TrainSamples is int n ? new DatasetPrefix(train, Math.Min(n, train.Count)) : train,
            DataSources.Open(config.Data, Split.Validation, data), DataSources.Open(config.Data, Split.Test, data));
    }

    /// <summary>The prerequisite run folders.</summary>
    public PrerequisiteFolders Prerequisites { get; }
    /// <summary>The CLIP run folder whose image encoder is the tower.</summary>
    public string VisionRun => Prerequisites.Vision;
    /// <summary>The language-model run folder.</summary>
    public string LanguageRun => Prerequisites.Language;
    /// <summary>Training split (its first <see cref="IVisionLanguageConfig.TrainSamples"/> scenes when that is set).</summary>
    public IImageTextDataset Train { get; }
    /// <summary>Validation split.</summary>
    public IImageTextDataset Validation { get; }
    /// <summary>Test split.</summary>
    public IImageTextDataset Test { get; }

    /// <summary>The file in the run folder that names its prerequisite run folders.</summary>
    public const string PrerequisitesFile = "prerequisites.json";

    /// <summary>How pixels reach the tower: as the CLIP run saw them.</summary>
    public static ImageNormalization Normalization => ClipRun.Normalization;

    /// <summary>
    /// The prerequisite folders of <paramref name="config"/>: the given trained folders, or the cached runs its
    /// <c>Vision</c> and <c>Language</c> settings describe, trained now when missing (<paramref name="log"/> and
    /// <paramref name="onStep"/> report it).
    /// </summary>
    public static PrerequisiteFolders EnsurePrerequisites(TConfig config, Action<string>? log = null, Action<StepRecord>? onStep = null,
        string? root = null, string? visionRun = null, string? languageRun = null) => new(
        visionRun is not null ? RequireComplete(visionRun, "vision tower (CLIP) run", config.Method)
            : PrerequisiteRuns.Ensure(ClipRun.Create(config.Vision), onStep, log, root),
        languageRun is not null ? RequireComplete(languageRun, "language-model run", config.Method)
            : PrerequisiteRuns.Ensure(LanguageModelRun.Create(config.Language), onStep, log, root));

    /// <summary>The configuration and prerequisite folders of a run folder, as <see cref="OnSetup"/> recorded them.</summary>
    protected static (TConfig Config, PrerequisiteFolders Folders) ReadRunFolder(string runDir)
    {
        var config = new RunFolder(runDir).ReadConfig<TConfig>();
        string file = Path.Combine(runDir, PrerequisitesFile);
        Dictionary<string, string>? named = null;
        try
        {
            if (File.Exists(file)) named = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not a prerequisites file ({e.Message}).", e);
        }
        return (config, new PrerequisiteFolders(
            RequireComplete(named?.GetValueOrDefault("vision") ?? PrerequisiteRuns.FolderFor(config.Vision), "vision tower (CLIP)", config.Method),
            RequireComplete(named?.GetValueOrDefault("language") ?? PrerequisiteRuns.FolderFor(config.Language), "language model", config.Method)));
    }

    /// <inheritdoc />
    protected override void OnSetup(RunFolder folder) =>
        IO.AtomicFile.WriteAllText(Path.Combine(folder.Path, PrerequisitesFile), JsonSerializer.Serialize(
            new Dictionary<string, string> { ["vision"] = Path.GetFullPath(VisionRun), ["language"] = Path.GetFullPath(LanguageRun) }, RunFolder.Json));

    /// <summary>The trained tower and language model of the prerequisite runs.</summary>
    protected (ImageEncoder Tower, GptModel LanguageModel) LoadPrerequisites()
    {
        var (_, clip) = ClipRun.Load(VisionRun);
        var (_, language) = LanguageModelRun.Load(LanguageRun);
        return (clip.ImageEncoder, language);
    }

    /// <summary>
    /// The frozen tower's features of the first <paramref name="count"/> samples of <paramref name="data"/>, cached on disk
    /// under the tower's fingerprint and <paramref name="selection"/> (which of its outputs <paramref name="extract"/> reads).
    /// </summary>
    public static FrozenFeatures Features(ImageEncoder tower, string selection, Func<Tensor, Tensor> extract, IImageTextDataset data, int count) =>
        FrozenFeatures.Compute(data, count, tower, selection, extract, Normalization, FeatureCache.Default);

    static string RequireComplete(string folder, string what, string method) => new RunFolder(folder).IsComplete
        ? folder
        : throw new DirectoryNotFoundException($"The {what} this {method} run stands on is not in {folder} (no completed run there).");
}
