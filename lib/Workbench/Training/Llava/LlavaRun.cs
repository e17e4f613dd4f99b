using TorchSharp;
using Workbench.Data;
using Workbench.Data.Loading;
using Workbench.Models.Llava;
using Workbench.Runtime;
using Workbench.Text;
using Workbench.Training.Clip;
using Workbench.Training.Language;
using Workbench.Training.Runs;
using static TorchSharp.torch;

namespace Workbench.Training.Llava;

/// <summary>
/// A LLaVA experiment. It stands on two prerequisite runs, a CLIP run (its image encoder is the frozen tower) and a
/// language-model run, which <see cref="PrerequisiteRuns"/> trains on first use; a stage-2 run also starts from the
/// stage-1 run of the same settings (its projector). The tokenizer is the language model's.
/// </summary>
public sealed class LlavaRun : MethodRun<LlavaRunConfig, LlavaModel, MetricsReport>
{
    LlavaRun(LlavaRunConfig config, WordTokenizer tokenizer, string visionRun, string languageRun, string? stageOneRun,
        IImageTextDataset train, IImageTextDataset validation, IImageTextDataset test) : base(config, tokenizer)
    {
        (VisionRun, LanguageRun, StageOneRun) = (visionRun, languageRun, stageOneRun);
        (Train, Validation, Test) = (train, validation, test);
    }

    /// <summary>The CLIP run folder whose image encoder is the tower.</summary>
    public string VisionRun { get; }
    /// <summary>The language-model run folder.</summary>
    public string LanguageRun { get; }
    /// <summary>Stage 2: the stage-1 run folder whose projector it starts from.</summary>
    public string? StageOneRun { get; }
    /// <summary>Training split.</summary>
    public IImageTextDataset Train { get; }
    /// <summary>Validation split.</summary>
    public IImageTextDataset Validation { get; }
    /// <summary>Test split.</summary>
    public IImageTextDataset Test { get; }

    /// <summary>
    /// Opens the data and makes sure the prerequisite runs exist (training them when missing, which
    /// <paramref name="log"/> and <paramref name="onPrerequisiteStep"/> report).
    /// </summary>
    /// <param name="config">The run's configuration.</param>
    /// <param name="log">Told where each prerequisite comes from.</param>
    /// <param name="onPrerequisiteStep">Progress of a prerequisite that has to be trained.</param>
    /// <param name="data">How data sources open.</param>
    /// <param name="prerequisites">The prerequisite cache folder (default <see cref="PrerequisiteRuns.DefaultRoot"/>).</param>
    /// <param name="visionRun">A trained CLIP run folder to take the tower from, instead of the one <c>config.Vision</c> describes.</param>
    /// <param name="languageRun">A trained language-model run folder to use, instead of the one <c>config.Language</c> describes.</param>
    public static LlavaRun Create(LlavaRunConfig config, Action<string>? log = null, Action<StepRecord>? onPrerequisiteStep = null,
        DataSourceOptions? data = null, string? prerequisites = null, string? visionRun = null, string? languageRun = null)
    {
        string vision = visionRun is not null ? RequireComplete(visionRun, "vision tower (CLIP) run")
            : PrerequisiteRuns.Ensure(ClipRun.Create(config.Vision), onPrerequisiteStep, log, prerequisites);
        string language = languageRun is not null ? RequireComplete(languageRun, "language-model run")
            : PrerequisiteRuns.Ensure(LanguageModelRun.Create(config.Language), onPrerequisiteStep, log, prerequisites);
        string? stageOne = config.Stage == 2
            ? PrerequisiteRuns.Ensure(Create(config.StageOne, log, onPrerequisiteStep, data, prerequisites, visionRun, languageRun), onPrerequisiteStep, log, prerequisites)
            : null;
        return Open(config, vision, language, stageOne, new RunFolder(language).ReadTokenizer(), data);
    }

    /// <summary>The file in a LLaVA run folder that names its prerequisite run folders.</summary>
    public const string PrerequisitesFile = "prerequisites.json";

    /// <inheritdoc />
    protected override void OnSetup(RunFolder folder) =>
        IO.AtomicFile.WriteAllText(Path.Combine(folder.Path, PrerequisitesFile), System.Text.Json.JsonSerializer.Serialize(
            new Dictionary<string, string> { ["vision"] = Path.GetFullPath(VisionRun), ["language"] = Path.GetFullPath(LanguageRun) }, RunFolder.Json));

    static LlavaRun Open(LlavaRunConfig config, string vision, string language, string? stageOne, WordTokenizer tokenizer, DataSourceOptions? data)
    {
        data ??= new DataSourceOptions(Seed: (int)config.Trainer.Seed);
        return new LlavaRun(config, tokenizer, vision, language, stageOne, DataSources.Open(config.Data, Split.Train, data),
            DataSources.Open(config.Data, Split.Validation, data), DataSources.Open(config.Data, Split.Test, data));
    }

    /// <summary>Reopens a LLaVA run folder (its prerequisites must still be in the cache) with its newest weights.</summary>
    public static (LlavaRun Run, LlavaModel Model) Load(string runDir, DataSourceOptions? data = null)
    {
        var folder = new RunFolder(runDir);
        var config = folder.ReadConfig<LlavaRunConfig>();
        string file = Path.Combine(runDir, PrerequisitesFile);
        Dictionary<string, string>? named = null;
        try
        {
            if (File.Exists(file)) named = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{file}: not a prerequisites file ({e.Message}).", e);
        }
        string vision = RequireComplete(named?.GetValueOrDefault("vision") ?? PrerequisiteRuns.FolderFor(config.Vision), "vision tower (CLIP)");
        string language = RequireComplete(named?.GetValueOrDefault("language") ?? PrerequisiteRuns.FolderFor(config.Language), "language model");
        var run = Open(config, vision, language, null, folder.ReadTokenizer(), data);
        return (run, run.LoadModel(runDir));
    }

    static string RequireComplete(string folder, string what) => new RunFolder(folder).IsComplete
        ? folder
        : throw new DirectoryNotFoundException($"The {what} this LLaVA run stands on is not in {folder} (no completed run there).");

    /// <summary>How pixels reach the tower: as the CLIP run saw them.</summary>
    public static Data.Files.ImageNormalization Normalization => ClipRun.Normalization;

    /// <inheritdoc />
    public override LlavaModel CreateModel()
    {
        var (_, clip) = ClipRun.Load(VisionRun);
        var (_, language) = LanguageModelRun.Load(LanguageRun);
        var model = new LlavaModel(clip.ImageEncoder, language, Config.Projector, Tokenizer.ImageId!.Value, Config.Features, Config.VisionLayer, Config.PooledTokens);
        if (StageOneRun is not null) LoadWeights(model, new RunFolder(StageOneRun).LatestCheckpoint());
        model.FreezeLanguageModel(Config.Stage == 1 || Config.FreezeLanguageModel);
        model.to(ComputeDevice.Current);
        return model;
    }

    /// <inheritdoc />
    protected override ITrainingTask CreateTask(LlavaModel model) => new LlavaTrainingTask(this, model);

    /// <inheritdoc />
    public override MetricsReport Evaluate(LlavaModel model) =>
        new(LlavaEvaluation.Evaluate(this, model, Test, Config.TestSamples));

    /// <summary>The frozen tower's features of the first <paramref name="count"/> samples of <paramref name="data"/>, cached on disk.</summary>
    public FrozenFeatures Features(LlavaModel model, IImageTextDataset data, int count) =>
        FrozenFeatures.Compute(data, count, model.VisionTower, $"{model.Features}@{model.VisionLayer}", model.VisionFeaturesOf,
            Normalization, FeatureCache.Default);

    /// <summary>
    /// The training sequence of one row: stage 1 asks for a caption of the image, stage 2 asks up to
    /// <see cref="LlavaRunConfig.TurnsPerSequence"/> of its questions; only answers (and captions) carry loss.
    /// </summary>
    public TokenSequence TrainingSequence(Sample sample, Random random, int imageTokens) => Config.Stage == 1 || sample.Questions.Count == 0
        ? TokenSequence.CaptionRequest(Tokenizer, WordTokenizer.ImageToken, sample.Captions[random.Next(sample.Captions.Count)], superviseAll: false)
        : TokenSequence.FittedConversation(Tokenizer, WordTokenizer.ImageToken,
            sample.Questions.OrderBy(_ => random.Next()).Take(Config.TurnsPerSequence).ToList(), superviseAll: false,
            Config.Language.ContextLength, extraTokens: imageTokens - 1);
}
