using System.Text.Json;
using TorchSharp;
using Workbench.Data;
using Workbench.Data.Files;
using Workbench.Data.Loading;
using Workbench.Models.Clip;
using Workbench.Models.Language;
using Workbench.Models.Pretrained;
using Workbench.Training.Clip;
using Workbench.Training.Language;
using Workbench.Text;
using Workbench.Training.Runs;
using static TorchSharp.torch;

namespace Workbench.Training.VisionLanguage;

/// <summary>
/// Where a vision-language run's tower and language model come from: a workbench run folder each (a CLIP run, a
/// language-model run), or a pretrained checkpoint file each (an OpenAI/OpenCLIP CLIP, a Hugging Face GPT-2).
/// </summary>
/// <param name="Vision">The CLIP run folder, or a CLIP checkpoint file.</param>
/// <param name="Language">The language-model run folder, or a GPT-2 checkpoint file.</param>
public sealed record PrerequisiteFolders(string Vision, string Language)
{
    /// <summary>The tower is a pretrained CLIP checkpoint (<see cref="ClipCheckpoint"/>), not a run folder.</summary>
    public bool VisionIsCheckpoint => File.Exists(Vision);

    /// <summary>The language model is a pretrained GPT-2 checkpoint (<see cref="Gpt2Checkpoint"/>), not a run folder.</summary>
    public bool LanguageIsCheckpoint => File.Exists(Language);

    /// <summary>The language model's tokenizer: GPT-2's for a GPT-2 checkpoint, else the one its run folder saved.</summary>
    public ITextTokenizer LanguageTokenizer() => LanguageIsCheckpoint ? Gpt2Tokenizer.Create() : new RunFolder(Language).ReadTokenizer();
}

/// <summary>
/// A run of a method that makes a frozen language model see through a frozen vision tower (LLaVA, Flamingo): the part
/// they share. It finds or trains the two prerequisite runs (<see cref="PrerequisiteRuns"/>), records where they are in
/// the run folder (<see cref="PrerequisitesFile"/>) so the run reloads on its own, opens the data's three splits, and
/// caches the tower's features. The tokenizer is the language model's. Either prerequisite may instead be a pretrained
/// checkpoint (<c>--vision-checkpoint</c>, <c>--lm-checkpoint</c>): a CLIP ViT such as ViT-B/32 as the tower (wrapped to read
/// the workbench's images, <see cref="PretrainedImageTower"/>), GPT-2 as the language model (with GPT-2's tokenizer).
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

    /// <summary>
    /// The prerequisites this run was given instead of the ones its configuration describes (a checkpoint file, or another
    /// run folder), by identity; null when it stands on its configuration's own.
    /// </summary>
    public override string? Provenance
    {
        get
        {
            static bool Own(string path, string configured) => !File.Exists(path)
                && Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))) == Path.GetFileName(configured);
            var given = new List<string>();
            if (!Own(VisionRun, PrerequisiteRuns.FolderFor(Config.Vision))) given.Add("vision=" + PrerequisiteRuns.Identity(VisionRun));
            if (!Own(LanguageRun, PrerequisiteRuns.FolderFor(Config.Language))) given.Add("language=" + PrerequisiteRuns.Identity(LanguageRun));
            return given.Count == 0 ? null : string.Join("\n", given);
        }
    }

    /// <summary>The file in the run folder that names its prerequisite run folders.</summary>
    public const string PrerequisitesFile = "prerequisites.json";

    /// <summary>How pixels reach the tower: as the CLIP run saw them.</summary>
    public static ImageNormalization Normalization => ClipRun.Normalization;

    /// <summary>
    /// The prerequisites of <paramref name="config"/>: the given trained run folders or checkpoint files, or the cached
    /// runs its <c>Vision</c> and <c>Language</c> settings describe, trained now when missing (<paramref name="log"/> and
    /// <paramref name="onStep"/> report it).
    /// </summary>
    /// <param name="config">The run's configuration.</param>
    /// <param name="log">Told where each prerequisite comes from.</param>
    /// <param name="onStep">Progress of a prerequisite that has to be trained.</param>
    /// <param name="root">The prerequisite cache folder.</param>
    /// <param name="visionRun">A CLIP run folder, or a pretrained CLIP checkpoint file, as the tower.</param>
    /// <param name="languageRun">A language-model run folder, or a pretrained GPT-2 checkpoint file, as the language model.</param>
    public static PrerequisiteFolders EnsurePrerequisites(TConfig config, Action<string>? log = null, Action<StepRecord>? onStep = null,
        string? root = null, string? visionRun = null, string? languageRun = null) => new(
        visionRun is not null ? RequirePrerequisite(visionRun, "vision tower (CLIP)", config.Method)
            : PrerequisiteRuns.Ensure(ClipRun.Create(config.Vision), onStep, log, root),
        languageRun is not null ? RequirePrerequisite(languageRun, "language model", config.Method)
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
            RequirePrerequisite(named?.GetValueOrDefault("vision") ?? PrerequisiteRuns.FolderFor(config.Vision), "vision tower (CLIP)", config.Method),
            RequirePrerequisite(named?.GetValueOrDefault("language") ?? PrerequisiteRuns.FolderFor(config.Language), "language model", config.Method)));
    }

    /// <inheritdoc />
    protected override void OnSetup(RunFolder folder) =>
        IO.AtomicFile.WriteAllText(Path.Combine(folder.Path, PrerequisitesFile), JsonSerializer.Serialize(
            new Dictionary<string, string> { ["vision"] = Path.GetFullPath(VisionRun), ["language"] = Path.GetFullPath(LanguageRun) }, RunFolder.Json));

    /// <summary>The trained tower and language model of the prerequisites (runs or pretrained checkpoints).</summary>
    protected (ImageEncoder Tower, GptModel LanguageModel) LoadPrerequisites()
    {
        var tower = Prerequisites.VisionIsCheckpoint
            ? PretrainedImageTower.FromCheckpoint(VisionRun, Normalization)
            : ClipRun.Load(VisionRun).Model.ImageEncoder;
        // GPT-2's table gains rows for the tokens it lacks (<image>, <eoc>, <pad>): the tokenizer says how many.
        var language = Prerequisites.LanguageIsCheckpoint
            ? Gpt2Checkpoint.Load(LanguageRun, extraTokens: Tokenizer.VocabularySize - Gpt2Tokenizer.Gpt2VocabularySize)
            : LanguageModelRun.Load(LanguageRun).Model;
        return (tower, language);
    }

    /// <summary>
    /// The frozen tower's features of the first <paramref name="count"/> samples of <paramref name="data"/>, cached on disk
    /// under the tower's fingerprint and <paramref name="selection"/> (which of its outputs <paramref name="extract"/> reads).
    /// </summary>
    public static FrozenFeatures Features(ImageEncoder tower, string selection, Func<Tensor, Tensor> extract, IImageTextDataset data, int count) =>
        FrozenFeatures.Compute(data, count, tower, selection, extract, Normalization, FeatureCache.Default);

    static string RequirePrerequisite(string path, string what, string method) =>
        File.Exists(path) || new RunFolder(path).IsComplete
            ? path
            : throw new DirectoryNotFoundException($"The {what} this {method} run stands on is not in {path} (neither a checkpoint file nor a completed run there).");
}
