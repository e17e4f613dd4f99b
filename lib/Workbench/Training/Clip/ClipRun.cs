using TorchSharp;
using Workbench.Data;
using Workbench.Data.Files;
using Workbench.Data.Loading;
using Workbench.Models.Clip;
using Workbench.Runtime;
using Workbench.Text;
using Workbench.Training.Runs;
using static TorchSharp.torch;

namespace Workbench.Training.Clip;

/// <summary>
/// One CLIP experiment end to end on the shared run layer (<see cref="MethodRun{TConfig, TModel, TReport}"/>): opens the data,
/// builds the word vocabulary from the training captions, trains with the <see cref="Trainer"/>, and evaluates on
/// held-out data. <see cref="Load"/> reopens a run folder.
/// </summary>
public sealed class ClipRun : MethodRun<ClipRunConfig, ClipModel, ClipMetrics>
{
    /// <summary>Pixels are scaled to [-1, 1].</summary>
    public static readonly ImageNormalization Normalization = ImageNormalization.Half;

    ClipRun(ClipRunConfig config, ITextTokenizer tokenizer, IImageTextDataset train, IImageTextDataset validation, IImageTextDataset test)
        : base(config, tokenizer)
    {
        (Train, Validation, Test) = (train, validation, test);
        ImageSize = train.Get(0).Image.Width;
    }

    /// <summary>Training split.</summary>
    public IImageTextDataset Train { get; }
    /// <summary>Validation split (scored during training).</summary>
    public IImageTextDataset Validation { get; }
    /// <summary>Test split (the reported figures).</summary>
    public IImageTextDataset Test { get; }
    /// <summary>Side of the (square) images.</summary>
    public int ImageSize { get; }

    /// <summary>How the training data words any scene (for hard negatives).</summary>
    /// <exception cref="ArgumentException">The data set does not generate its scenes.</exception>
    public ISceneLanguage SceneLanguage => SceneLanguageOf(Train, Config.Data);

    static ISceneLanguage SceneLanguageOf(IImageTextDataset train, string source) => train.Language
        ?? throw new ArgumentException($"HardNegatives: the data source '{source}' cannot word a changed scene; hard negatives need a generated data set (shapes, fashion-scenes).");

    /// <summary>Opens the data of a config and builds its vocabulary (training captions plus prompt templates of the classes).</summary>
    public static ClipRun Create(ClipRunConfig config, DataSourceOptions? data = null)
    {
        data ??= new DataSourceOptions(Seed: config.Seed);
        var train = DataSources.Open(config.Data, Split.Train, data);
        if (config.TrainSamples is int samples)
            train = samples >= 1 && samples <= train.Count ? new DatasetPrefix(train, samples)
                : throw new ArgumentException($"TrainSamples {samples}: {config.Data} has {train.Count} training samples; use 1 to {train.Count}.");
        if (config.HardNegatives) SceneLanguageOf(train, config.Data);   // refuse before anything trains
        var texts = Enumerable.Range(0, Math.Min(config.VocabularySamples, train.Count)).SelectMany(i => train.Get(i).Captions);
        if (train.ClassNames is { } classes)
            texts = texts.Concat(classes.SelectMany(c => PromptTemplates.ForClass(c)));
        return new ClipRun(config, WordTokenizer.Build(texts), train,
            DataSources.Open(config.Data, Split.Validation, data), DataSources.Open(config.Data, Split.Test, data));
    }

    /// <inheritdoc />
    public override ClipModel CreateModel()
    {
        var model = new ClipModel(Config.ModelConfigFor(Tokenizer.VocabularySize, Tokenizer.EndId, Tokenizer.PadId, ImageSize));
        model.to(ComputeDevice.Current);
        return model;
    }

    /// <inheritdoc />
    protected override ITrainingTask CreateTask(ClipModel model) => new ClipTrainingTask(this, model);

    /// <inheritdoc />
    public override ClipMetrics Evaluate(ClipModel model) => ClipEvaluation.Test(this, model, Config.Seed);

    /// <summary>Reopens a run folder: its config (with another data source when <paramref name="data"/> is given), tokenizer and newest weights.</summary>
    public static (ClipRun Run, ClipModel Model) Load(string runDir, string? data = null, DataSourceOptions? options = null)
    {
        var folder = new RunFolder(runDir);
        var config = folder.ReadConfig<ClipRunConfig>();
        if (data is not null) config = config with { Data = data };
        options ??= new DataSourceOptions(Seed: config.Seed);
        var run = new ClipRun(config, folder.ReadTokenizer(), DataSources.Open(config.Data, Split.Train, options),
            DataSources.Open(config.Data, Split.Validation, options), DataSources.Open(config.Data, Split.Test, options));
        return (run, run.LoadModel(runDir));
    }

    /// <summary>L2-normalised image embeddings (n, D) of the given samples, in eval mode, in batches.</summary>
    public Tensor EmbedImages(ClipModel model, IImageTextDataset data, IReadOnlyList<int> indices) =>
        Batched(indices, chunk => model.EncodeImages(ImageTensor(data, chunk)));

    /// <summary>Image features before the projection (for the linear probe).</summary>
    public Tensor ImageFeatures(ClipModel model, IImageTextDataset data, IReadOnlyList<int> indices) =>
        Batched(indices, chunk => model.ImageEncoder.call(ImageTensor(data, chunk)));

    /// <summary>L2-normalised text embeddings (n, D).</summary>
    public Tensor EmbedTexts(ClipModel model, IReadOnlyList<string> texts) =>
        Batched(Enumerable.Range(0, texts.Count).ToList(), chunk =>
        {
            var batch = Tokenizer.EncodeBatch(chunk.Select(i => texts[i]).ToList(), Config.ContextLength, addBegin: true, addEnd: true);
            return model.EncodeTexts(tensor(batch.Ids, [batch.Rows, batch.Length]).to(ComputeDevice.Current));
        });

    Tensor ImageTensor(IImageTextDataset data, IReadOnlyList<int> indices) => ImageTensors.Of(data, indices, Normalization, ComputeDevice.Current);

    static Tensor Batched(IReadOnlyList<int> indices, Func<IReadOnlyList<int>, Tensor> embed, int chunkSize = 500)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (int start = 0; start < indices.Count; start += chunkSize)
            parts.Add(embed(indices.Skip(start).Take(chunkSize).ToList()));
        return cat(parts, 0).MoveToOuterDisposeScope();
    }
}
