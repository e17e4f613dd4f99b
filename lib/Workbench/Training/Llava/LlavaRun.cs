using TorchSharp;
using Workbench.Data;
using Workbench.Data.Loading;
using Workbench.Models.Llava;
using Workbench.Runtime;
using Workbench.Text;
using Workbench.Training.Clip;
using Workbench.Training.Language;
using Workbench.Training.Runs;
using Workbench.Training.VisionLanguage;
using static TorchSharp.torch;

namespace Workbench.Training.Llava;

/// <summary>
/// A LLaVA experiment. It stands on two prerequisite runs, a CLIP run (its image encoder is the frozen tower) and a
/// language-model run (see <see cref="VisionLanguageRun{TConfig, TModel}"/>); a stage-2 run also starts from the
/// stage-1 run of the same settings (its projector).
/// </summary>
public sealed class LlavaRun : VisionLanguageRun<LlavaRunConfig, LlavaModel>
{
    LlavaRun(LlavaRunConfig config, PrerequisiteFolders folders, string? stageOneRun, ITextTokenizer tokenizer, DataSourceOptions? data)
        : base(config, folders, tokenizer, data) => StageOneRun = stageOneRun;

    /// <summary>Stage 2: the stage-1 run folder whose projector it starts from.</summary>
    public string? StageOneRun { get; }

    /// <summary>
    /// Opens the data and makes sure the prerequisite runs exist (training them when missing, which
    /// <paramref name="log"/> and <paramref name="onPrerequisiteStep"/> report).
    /// </summary>
    /// <param name="config">The run's configuration.</param>
    /// <param name="log">Told where each prerequisite comes from.</param>
    /// <param name="onPrerequisiteStep">Progress of a prerequisite that has to be trained.</param>
    /// <param name="data">How data sources open.</param>
    /// <param name="prerequisites">The prerequisite cache folder (default <see cref="PrerequisiteRuns.DefaultRoot"/>).</param>
    /// <param name="visionRun">A trained CLIP run folder, or a pretrained CLIP checkpoint file (ViT, OpenAI/OpenCLIP layout), as the
    /// tower, instead of the one <c>config.Vision</c> describes.</param>
    /// <param name="languageRun">A trained language-model run folder, or a pretrained GPT-2 checkpoint file (Hugging Face layout),
    /// instead of the one <c>config.Language</c> describes.</param>
    public static LlavaRun Create(LlavaRunConfig config, Action<string>? log = null, Action<StepRecord>? onPrerequisiteStep = null,
        DataSourceOptions? data = null, string? prerequisites = null, string? visionRun = null, string? languageRun = null)
    {
        var folders = EnsurePrerequisites(config, log, onPrerequisiteStep, prerequisites, visionRun, languageRun);
        string? stageOne = config.Stage == 2
            ? PrerequisiteRuns.Ensure(Create(config.StageOne, log, onPrerequisiteStep, data, prerequisites, visionRun, languageRun), onPrerequisiteStep, log, prerequisites)
            : null;
        return new LlavaRun(config, folders, stageOne, folders.LanguageTokenizer(), data);
    }

    /// <summary>Reopens a LLaVA run folder (its prerequisites must still be where it recorded them) with its newest weights.</summary>
    public static (LlavaRun Run, LlavaModel Model) Load(string runDir, DataSourceOptions? data = null)
    {
        var (config, folders) = ReadRunFolder(runDir);
        var run = new LlavaRun(config, folders, null, new RunFolder(runDir).ReadTokenizer(), data);
        return (run, run.LoadModel(runDir));
    }

    /// <inheritdoc />
    public override LlavaModel CreateModel()
    {
        var (tower, language) = LoadPrerequisites();
        var model = new LlavaModel(tower, language, Config.Projector, Tokenizer.ImageId!.Value, Config.Features, Config.VisionLayer, Config.PooledTokens, Config.ImageGrid);
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
        Features(model.VisionTower, $"{model.Features}@{model.VisionLayer}", model.VisionFeaturesOf, data, count);

    /// <summary>
    /// The training sequence of one row: stage 1 asks for a caption of the image, stage 2 asks up to
    /// <see cref="LlavaRunConfig.TurnsPerSequence"/> of its questions; only answers (and captions) carry loss.
    /// </summary>
    public TokenSequence TrainingSequence(Sample sample, Random random, int imageTokens) => Config.Stage == 1 || sample.Questions.Count == 0
        ? TokenSequence.CaptionRequest(Tokenizer, SpecialTokens.Image, sample.Captions[random.Next(sample.Captions.Count)], superviseAll: false)
        : TokenSequence.FittedConversation(Tokenizer, SpecialTokens.Image,
            sample.Questions.OrderBy(_ => random.Next()).Take(Config.TurnsPerSequence).ToList(), superviseAll: false,
            Config.Language.ContextLength, extraTokens: imageTokens - 1, questionFirst: Config.QuestionFirst);
}
