using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using Workbench.Data;
using Workbench.Data.Files;
using Workbench.IO;
using Workbench.Models.Clip;
using Workbench.Runtime;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Training.Clip;

/// <summary>
/// One CLIP experiment end to end: opens the data, builds the word vocabulary from the training captions, trains with
/// the <see cref="Trainer"/>, and evaluates on held-out data. A run folder holds <c>run.json</c> (the config),
/// <c>tokenizer.json</c>, <c>log.jsonl</c>, <c>checkpoints/</c> and <c>metrics.json</c>; <see cref="Load"/> reopens it.
/// </summary>
public sealed class ClipRun
{
    /// <summary>Pixels are scaled to [-1, 1].</summary>
    public static readonly ImageNormalization Normalization = ImageNormalization.Half;

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    ClipRun(ClipRunConfig config, WordTokenizer tokenizer, IImageTextDataset train, IImageTextDataset validation, IImageTextDataset test)
    {
        (Config, Tokenizer, Train, Validation, Test) = (config, tokenizer, train, validation, test);
        ImageSize = train.Get(0).Image.Width;
    }

    /// <summary>The configuration.</summary>
    public ClipRunConfig Config { get; }
    /// <summary>The word tokenizer built from the training captions.</summary>
    public WordTokenizer Tokenizer { get; }
    /// <summary>Training split.</summary>
    public IImageTextDataset Train { get; }
    /// <summary>Validation split (scored during training).</summary>
    public IImageTextDataset Validation { get; }
    /// <summary>Test split (the reported figures).</summary>
    public IImageTextDataset Test { get; }
    /// <summary>Side of the (square) images.</summary>
    public int ImageSize { get; }

    /// <summary>Opens the data of a config and builds its vocabulary (training captions plus prompt templates of the classes).</summary>
    public static ClipRun Create(ClipRunConfig config, DataSourceOptions? data = null)
    {
        data ??= new DataSourceOptions(Seed: config.Seed);
        var train = DataSources.Open(config.Data, Split.Train, data);
        var texts = Enumerable.Range(0, Math.Min(config.VocabularySamples, train.Count)).SelectMany(i => train.Get(i).Captions);
        if (train.ClassNames is { } classes)
            texts = texts.Concat(classes.SelectMany(c => PromptTemplates.ForClass(c)));
        return new ClipRun(config, WordTokenizer.Build(texts), train,
            DataSources.Open(config.Data, Split.Validation, data), DataSources.Open(config.Data, Split.Test, data));
    }

    /// <summary>The model this config describes (fresh weights from the current seed).</summary>
    public ClipModel CreateModel()
    {
        var model = new ClipModel(Config.ModelConfigFor(Tokenizer.VocabularySize, Tokenizer.EndId, Tokenizer.PadId, ImageSize));
        model.to(ComputeDevice.Current);
        return model;
    }

    /// <summary>
    /// Trains into <paramref name="outputDir"/> (or resumes the newest checkpoint there), then evaluates on the test
    /// split and writes <c>metrics.json</c>. Events report each step and evaluation as they happen. A cancelled run
    /// checkpoints its last step and returns without metrics (null); resume it later.
    /// </summary>
    public (ClipModel Model, ClipMetrics? Metrics, MetricsHistory History) Fit(string? outputDir, bool resume = false,
        Action<StepRecord>? onStep = null, Action<EvaluationRecord>? onEval = null, CancellationToken cancel = default)
    {
        if (outputDir is not null)
        {
            if (resume) CheckSameRun(outputDir);
            Directory.CreateDirectory(outputDir);
            AtomicFile.WriteAllText(Path.Combine(outputDir, "run.json"), JsonSerializer.Serialize(Config, Json));
            Tokenizer.Save(Path.Combine(outputDir, "tokenizer.json"));
        }
        var trainerConfig = Config.TrainerConfigFor(outputDir);
        ClipTrainingTask? task = null;
        using var trainer = new Trainer(trainerConfig, () => task = new ClipTrainingTask(this));
        if (onStep is not null) trainer.StepEnded += onStep;
        if (onEval is not null) trainer.EvalEnded += onEval;
        try
        {
            if (resume) trainer.Resume();
            var history = trainer.Run(cancel);
            var model = task!.Clip;
            model.eval();
            if (!trainer.IsComplete) return (model, null, history);
            var metrics = ClipEvaluation.Test(this, model, Config.Seed);
            if (outputDir is not null) WriteMetrics(outputDir, metrics);
            return (model, metrics, history);
        }
        finally
        {
            task?.Dispose();
        }
    }

    /// <summary>Reopens a run folder: its config, tokenizer and the newest checkpoint's weights.</summary>
    public static (ClipRun Run, ClipModel Model) Load(string runDir, string? data = null)
    {
        string configPath = Path.Combine(runDir, "run.json");
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"{runDir} is not a CLIP run folder: {configPath} is missing (train one with `workbench train clip --out {runDir}`).");
        ClipRunConfig config;
        try
        {
            config = JsonSerializer.Deserialize<ClipRunConfig>(File.ReadAllText(configPath), Json)
                     ?? throw new InvalidDataException($"{configPath}: empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{configPath}: not a valid run config ({e.Message}).", e);
        }
        if (data is not null) config = config with { Data = data };
        var tokenizer = WordTokenizer.Load(Path.Combine(runDir, "tokenizer.json"));
        var options = new DataSourceOptions(Seed: config.Seed);
        var run = new ClipRun(config, tokenizer, DataSources.Open(config.Data, Split.Train, options),
            DataSources.Open(config.Data, Split.Validation, options), DataSources.Open(config.Data, Split.Test, options));
        string checkpoint = Checkpoint.Latest(runDir)
            ?? throw new FileNotFoundException($"{runDir}: no checkpoint under {Path.Combine(runDir, Checkpoint.FolderName)}.");
        var model = run.CreateModel();
        string weights = Path.Combine(checkpoint, Checkpoint.ModelFile);
        StateDictFile.Verify(weights, model);
        model.load(weights);
        model.eval();
        return (run, model);
    }

    /// <summary>Writes the figures as <c>metrics.json</c> (a flat name → number object), atomically.</summary>
    public static void WriteMetrics(string outputDir, ClipMetrics metrics) =>
        AtomicFile.WriteAllText(Path.Combine(outputDir, "metrics.json"), JsonSerializer.Serialize(metrics.Metrics, Json));

    void CheckSameRun(string outputDir)
    {
        string path = Path.Combine(outputDir, "run.json");
        if (!File.Exists(path)) return;
        var saved = JsonSerializer.Deserialize<ClipRunConfig>(File.ReadAllText(path), Json);
        if (saved is not null && saved != Config)
            throw new ArgumentException($"{path} describes a different run ({saved.Data}, {saved.Preset}, seed {saved.Seed}); resume with the same settings or use another --out.");
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

    Tensor ImageTensor(IImageTextDataset data, IReadOnlyList<int> indices)
    {
        int size = ImageSize;
        var pixels = new float[indices.Count * 3 * size * size];
        for (int i = 0; i < indices.Count; i++)
            ImagePreprocessing.WriteChw(data.Get(indices[i]).Image, Normalization, pixels.AsSpan(i * 3 * size * size, 3 * size * size));
        return tensor(pixels, [indices.Count, 3, size, size]).to(ComputeDevice.Current);
    }

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
