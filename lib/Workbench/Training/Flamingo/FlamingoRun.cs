using TorchSharp;
using Workbench.Data;
using Workbench.Data.Interleaved;
using Workbench.Models.Flamingo;
using Workbench.Runtime;
using Workbench.Text;
using Workbench.Training.Runs;
using Workbench.Training.VisionLanguage;
using static TorchSharp.torch;

namespace Workbench.Training.Flamingo;

/// <summary>
/// A Flamingo experiment over the same prerequisite runs as LLaVA (<see cref="VisionLanguageRun{TConfig, TModel}"/>):
/// the CLIP run's image encoder is the frozen tower, the language-model run is the frozen language model. It trains on
/// interleaved documents of several training scenes, each image followed by questions and answers (or a caption),
/// document n a pure function of (seed, n).
/// </summary>
public sealed class FlamingoRun : VisionLanguageRun<FlamingoRunConfig, FlamingoModel>
{
    FlamingoRun(FlamingoRunConfig config, PrerequisiteFolders folders, ITextTokenizer tokenizer, DataSourceOptions? data)
        : base(config, folders, tokenizer, data) { }

    /// <summary>Opens the data and makes sure the prerequisite runs exist, training them when missing.</summary>
    /// <param name="config">The run's configuration.</param>
    /// <param name="log">Told where each prerequisite comes from.</param>
    /// <param name="onPrerequisiteStep">Progress of a prerequisite that has to be trained.</param>
    /// <param name="data">How data sources open.</param>
    /// <param name="prerequisites">The prerequisite cache folder (default <see cref="PrerequisiteRuns.DefaultRoot"/>).</param>
    /// <param name="visionRun">A trained CLIP run folder, or a pretrained CLIP checkpoint file (ViT, OpenAI/OpenCLIP layout), as the
    /// tower, instead of the one <c>config.Vision</c> describes.</param>
    /// <param name="languageRun">A trained language-model run folder, or a pretrained GPT-2 checkpoint file (Hugging Face layout),
    /// instead of the one <c>config.Language</c> describes.</param>
    public static FlamingoRun Create(FlamingoRunConfig config, Action<string>? log = null, Action<StepRecord>? onPrerequisiteStep = null,
        DataSourceOptions? data = null, string? prerequisites = null, string? visionRun = null, string? languageRun = null)
    {
        var folders = EnsurePrerequisites(config, log, onPrerequisiteStep, prerequisites, visionRun, languageRun);
        return new FlamingoRun(config, folders, folders.LanguageTokenizer(), data);
    }

    /// <summary>Reopens a Flamingo run folder (its prerequisites must still be where it recorded them) with its newest weights.</summary>
    public static (FlamingoRun Run, FlamingoModel Model) Load(string runDir, DataSourceOptions? data = null)
    {
        var (config, folders) = ReadRunFolder(runDir);
        var run = new FlamingoRun(config, folders, new RunFolder(runDir).ReadTokenizer(), data);
        return (run, run.LoadModel(runDir));
    }

    /// <inheritdoc />
    public override FlamingoModel CreateModel()
    {
        var (tower, language) = LoadPrerequisites();
        var model = new FlamingoModel(tower, language, Tokenizer.ImageId!.Value, Tokenizer.EndOfChunkId!.Value,
            Config.CrossAttentionEvery, Config.Latents, Config.ResamplerDepth, Config.VisionLayer, Config.Features, Config.PatchPositions);
        model.FreezeLanguageModel(!Config.TuneLanguageModel);
        model.to(ComputeDevice.Current);
        return model;
    }

    /// <inheritdoc />
    protected override ITrainingTask CreateTask(FlamingoModel model) => new FlamingoTrainingTask(this, model);

    /// <inheritdoc />
    public override MetricsReport Evaluate(FlamingoModel model) => new(FlamingoEvaluation.Evaluate(this, model, Test, Config.TestSamples));

    /// <summary>The frozen tower's features (the resampler's input) of the first <paramref name="count"/> samples, cached on disk.</summary>
    public FrozenFeatures Features(FlamingoModel model, IImageTextDataset data, int count) =>
        Features(model.VisionTower, $"{model.Features}@{model.VisionLayer}", model.VisionFeaturesOf, data, count);

    /// <summary>
    /// Training document <paramref name="index"/> and the training-split indices of its images, in order: a pure function of
    /// (seed, index). A <see cref="FlamingoRunConfig.ImplicitTaskFraction"/> of them are implicit-question documents.
    /// </summary>
    public (InterleavedDocument Document, int[] Images) TrainingDocument(long index)
    {
        int seed = (int)Config.Trainer.Seed;
        if (Config.ImplicitTaskFraction > 0 && new Random(StableHash.Combine(seed, index, 0x1C1)).NextDouble() < Config.ImplicitTaskFraction)
            return ImplicitTaskDocument(seed, index);
        var images = InterleavedDocuments.SampleIndices(Train.Count, Config.ImagesPerDocument, seed, index);
        return (InterleavedDocuments.Document(Train, images, seed, index, Chunk), images);
    }

    /// <summary>
    /// Per kind of question that can be asked implicitly, the training scenes that answer one (scenes of one object);
    /// found on first use, by one pass over the training split.
    /// </summary>
    public IReadOnlyDictionary<string, int[]> ImplicitTrainingPools => implicitPools ??= ImplicitQuestions.Pools(Train);
    IReadOnlyDictionary<string, int[]>? implicitPools;

    /// <summary>One kind of question, drawn from (seed, index); the document's images all answer it, unwritten.</summary>
    (InterleavedDocument, int[]) ImplicitTaskDocument(int seed, long index)
    {
        var pools = ImplicitTrainingPools;
        if (pools.Count == 0)
            throw new InvalidOperationException($"{Train.Name}: ImplicitTaskFraction is {Config.ImplicitTaskFraction} but no kind of question can be " +
                "asked implicitly here (it needs generated scenes of one object); set it to 0.");
        var kinds = pools.Keys.ToList();
        string kind = kinds[new Random(StableHash.Combine(seed, index, 0x1C2)).Next(kinds.Count)];
        var pool = pools[kind];
        var images = InterleavedDocuments.SampleIndices(pool.Length, Config.ImagesPerDocument, seed, index).Select(i => pool[i]).ToArray();
        return (InterleavedDocuments.Document(Train, images, seed, index,
            (sample, _) => InterleavedChunks.BareAnswer(ImplicitQuestions.Of(sample, kind)!.Answer)), images);
    }

    /// <summary>What follows an image in training: a caption request (a <see cref="FlamingoRunConfig.CaptionFraction"/> of the time) or questions.</summary>
    IReadOnlyList<TextSegment> Chunk(Sample sample, Random random) =>
        sample.Questions.Count == 0 || random.NextDouble() < Config.CaptionFraction
            ? InterleavedDocuments.CaptionChunk(sample, random)
            : InterleavedChunks.Conversation(sample.Questions.OrderBy(_ => random.Next()).Take(Config.TurnsPerImage).ToList());

    /// <summary>A document's tokens as the model reads them: <c>&lt;bos&gt;</c> first.</summary>
    public TokenizedInterleaved Tokenize(InterleavedDocument document) => TokenizedInterleaved.From(document, Tokenizer, addBegin: true);
}
