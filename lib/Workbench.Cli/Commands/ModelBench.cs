using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using Workbench.Data;
using Workbench.Data.Interleaved;
using Workbench.Data.Loading;
using Workbench.Data.Shapes;
using Workbench.Data.Files;
using Workbench.Models;
using Workbench.Models.Clip;
using Workbench.Models.Flamingo;
using Workbench.Models.Language;
using Workbench.Models.Llava;
using Workbench.Runtime;
using Workbench.Text;
using Workbench.Training.Clip;
using Workbench.Training.Flamingo;
using Workbench.Training.Language;
using Workbench.Training.Llava;
using Workbench.Training.Runs;
using static TorchSharp.torch;

namespace Workbench.Cli.Commands;

/// <summary>
/// <c>workbench bench clip|lm|llava|flamingo|all</c>: training steps a second of each model at a reference configuration,
/// the FLOPs of a step counted from its shapes (<see cref="TrainingFlops"/>), the GFLOP/s that makes, and the machine's own
/// fp32 and bf16 matrix-product rates measured in the same run, so the fraction of the ceiling reached is read off one
/// line. The step's inputs are synthetic (speed does not depend on the data); median of the timed steps after warm-up.
/// Two overheads beside it: how long a step waits for its data (real ShapesWorld batches of the reference size, made as
/// training makes them), and the fixed cost of a step (the same step at batch 1, where the arithmetic nearly vanishes:
/// the managed code and LibTorch's per-operation dispatch, an upper bound on the time spent outside LibTorch's kernels,
/// which <see cref="HostOverheadBench"/> measures directly). The timed steps' interval on the monotonic clock is reported
/// too, so that a profile of the run can be cut to them.
/// </summary>
static class ModelBench
{
    /// <summary>One model's figures; <c>--json</c> prints it as one object per line.</summary>
    public sealed record Result(string Model, string Precision, int Batch, int Threads, int Steps, double StepsPerSecond, double GflopsPerStep,
        double AchievedGflops, double MatmulFp32Gflops, double MatmulBf16Gflops, double CeilingFraction, double PeakRssMb, double FinalLoss,
        double DataWaitShare, double DataMsPerBatch, double FixedCostShare, double FixedCostMs, string Configuration, double TimedFromS, double TimedToS);

    /// <summary>A model's step at some batch size: what it is, its FLOPs, the step (returns the loss), and what it holds.</summary>
    sealed record Workload(string Configuration, double Flops, Func<Tensor> Step, IDisposable Resources);

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    static readonly string[] Models = ["clip", "lm", "llava", "flamingo"];

    /// <summary>
    /// The models <c>bench MODEL</c> measures, in order, with CLIP's image tower: the one chosen, else the reference ViT,
    /// and for <c>all</c> without a choice both towers; null for the models without one.
    /// </summary>
    internal static IEnumerable<(string Model, string? ImageEncoder)> Runs(string model, string? imageEncoder) =>
        (model == "all" ? Models : [model]).SelectMany(m => m != "clip" ? [(m, (string?)null)]
            : (imageEncoder is null && model == "all" ? [ImageEncoders.Vit, ImageEncoders.Cnn] : new[] { imageEncoder ?? ImageEncoders.Vit })
                .Select(e => (m, (string?)e)));

    public static IEnumerable<Command> Commands()
    {
        foreach (var (name, description) in new[]
        {
            ("clip", "CLIP at the reference configuration: 32x32 RGB, patch 4, ViT width 128, 4 layers, 4 heads, MLP 512; text vocabulary 1,000, context 32, width 128, 4 layers; batch 128; AdamW. " +
                     "--image-encoder cnn puts the presets' CNN (32 channels doubling over 2 blocks, 256 features) in the ViT's place."),
            ("lm", "The language model at its quick size: width 128, 4 layers, 4 heads, context 128, vocabulary 1,000; batch 64; AdamW."),
            ("llava", "LLaVA at its quick size, stage 2: the MLP projector and the quick language model train on cached features of the quick CNN tower (64 image tokens); batch 64; AdamW."),
            ("flamingo", "Flamingo at its quick size: resampler (8 latents, depth 2) and a gated cross-attention block before every language-model block train, the quick language model frozen; 3 images a document; batch 32; AdamW."),
            ("all", "Every model above, one after another, CLIP with each image encoder."),
        })
        {
            var precision = new Option<string>("--precision") { Description = "Arithmetic of the step: fp32, or bf16-mixed (bfloat16 matrix products, float32 weights, optimizer state, softmax, norms and losses).", DefaultValueFactory = _ => "fp32" };
            precision.AcceptOnlyFromAmong("fp32", "bf16-mixed");
            var batch = new Option<int?>("--batch") { Description = "Override the reference batch size." }.AtLeast(1);
            var width = new Option<int?>("--width") { Description = "Override the reference width (both CLIP towers; the language model's)." }.AtLeast(8);
            var layers = new Option<int?>("--layers") { Description = "Override the reference number of blocks (both CLIP towers; the language model's)." }.AtLeast(1);
            var steps = new Option<int>("--steps") { Description = "Timed steps after 3 warm-up steps (the median is reported).", DefaultValueFactory = _ => 20 }.AtLeast(1);
            var threads = new Option<int?>("--threads") { Description = "LibTorch intra-op threads (default: as the process starts, the core count)." }.AtLeast(1);
            var json = new Option<bool>("--json") { Description = "One JSON object per model (model, precision, steps_per_second, gflops_per_step, achieved_gflops, matmul_fp32_gflops, matmul_bf16_gflops, peak_rss_mb, data_wait_share, fixed_cost_share, ...)." };
            var encoder = new Option<string?>("--image-encoder") { Description = "CLIP's image tower: vit (the reference) or cnn (the presets'); all: both, one after the other." };
            encoder.AcceptOnlyFromAmong(ImageEncoders.Vit, ImageEncoders.Cnn);
            var command = new Command(name, description) { precision, batch, width, layers, steps, threads, json };
            if (name is "clip" or "all") command.Options.Add(encoder);
            string model = name;
            command.SetAction(result => Cli.Guard(() =>
            {
                if (result.GetValue(threads) is int t) set_num_threads(t);
                var arithmetic = MixedPrecision.Parse(result.GetValue(precision)!);
                var (fp32, bf16) = MatmulCeilings();
                if (!result.GetValue(json))
                    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, {ComputeDevice.Current}; " +
                                      $"square matrix products (up to 2048): fp32 {fp32:F0} GFLOP/s, bf16 {bf16:F1} GFLOP/s (median of 5)");
                var sizes = new Sizes(result.GetValue(batch), result.GetValue(width), result.GetValue(layers));
                string? chosenEncoder = result.GetValue(encoder);
                foreach (var (m, tower) in Runs(model, chosenEncoder))
                {
                    var r = Measure(m, tower is null ? sizes : sizes with { ImageEncoder = tower }, arithmetic, result.GetValue(steps), fp32, bf16);
                    Console.WriteLine(result.GetValue(json) ? JsonSerializer.Serialize(r, Json)
                        : $"{r.Model} ({r.Configuration}, batch {r.Batch}, {r.Precision}, {r.Threads} threads): {r.StepsPerSecond:F2} steps/s, " +
                          $"{r.GflopsPerStep:F1} GFLOP a step -> {r.AchievedGflops:F1} GFLOP/s = {100 * r.CeilingFraction:F0}% of the {(arithmetic == Precision.Bf16Mixed ? "bf16" : "fp32")} matmul rate; " +
                          $"data wait {100 * r.DataWaitShare:F1}% ({r.DataMsPerBatch:F1} ms a batch); fixed cost {100 * r.FixedCostShare:F1}% ({r.FixedCostMs:F1} ms at batch 1); " +
                          $"peak RSS {r.PeakRssMb:F0} MB; loss after {r.Steps + 3} steps {r.FinalLoss:F3}");
                }
            }));
            yield return command;
        }
    }

    /// <summary>Overrides of the reference sizes from the command line.</summary>
    internal sealed record Sizes(int? Batch, int? Width, int? Layers)
    {
        /// <summary>CLIP's image tower: the reference ViT, or the presets' CNN.</summary>
        public string ImageEncoder { get; init; } = ImageEncoders.Vit;
    }

    /// <summary>
    /// GFLOP/s of square matrix products in fp32 and in bf16 on this machine: the ceilings the models are measured against.
    /// The size grows from 256 to at most 2048 while one product takes under a quarter of a second, so a CPU without bf16
    /// instructions (where LibTorch emulates them, a thousand times slower) is measured in seconds, not minutes.
    /// </summary>
    public static (double Fp32, double Bf16) MatmulCeilings(int repeats = 5)
    {
        double Rate(ScalarType type)
        {
            double Measure(int size, int times)
            {
                using var a = randn(size, size, dtype: type, device: ComputeDevice.Current);
                using var b = randn(size, size, dtype: type, device: ComputeDevice.Current);
                double ms = BenchCommand.Median(times, () => { using var c = a.matmul(b); using var first = c[0, 0].to(ScalarType.Float32); _ = first.item<float>(); });
                return 2.0 * size * size * size / (ms / 1000) / 1e9;
            }
            int n = 256;
            double rate = Measure(n, 1);
            while (n < 2048 && 2.0 * 8 * n * n * n / (rate * 1e9) < 0.25) n *= 2;
            return Measure(n, repeats);
        }
        return (Rate(ScalarType.Float32), Rate(ScalarType.BFloat16));
    }

    /// <summary>The step at the reference batch (timed), at batch 1 (the fixed cost) and the data it waits for.</summary>
    static Result Measure(string model, Sizes sizes, Precision precision, int steps, double fp32, double bf16)
    {
        int batch = sizes.Batch ?? ReferenceBatch(model);
        var (workload, data) = Build(model, sizes, batch);
        float loss = 0;
        double stepMs, waitShare, dataMs, timedFrom, timedTo;
        using (workload.Resources)
        {
            void Run() { using var scope = NewDisposeScope(); using var arithmetic = MixedPrecision.Use(precision); loss = workload.Step().item<float>(); }
            for (int i = 0; i < 2; i++) Run();                    // warm-up (Median adds a third)
            timedFrom = MonotonicSeconds();
            stepMs = BenchCommand.Median(steps, Run);
            timedTo = MonotonicSeconds();
            using var arithmetic = MixedPrecision.Use(precision);
            (waitShare, dataMs) = data(stepMs);
        }
        double fixedMs;
        var (single, _) = Build(model, sizes, 1);
        using (single.Resources)
            fixedMs = BenchCommand.Median(steps, () => { using var scope = NewDisposeScope(); using var arithmetic = MixedPrecision.Use(precision); single.Step().item<float>(); });
        double perSecond = 1000 / stepMs, achieved = workload.Flops * perSecond / 1e9;
        double ceiling = precision == Precision.Bf16Mixed ? bf16 : fp32;
        return new Result(model, MixedPrecision.Name(precision), batch, get_num_threads(), steps, perSecond, workload.Flops / 1e9, achieved, fp32, bf16,
            achieved / ceiling, ProcessMemory.PeakRssMb(), loss, waitShare, dataMs, fixedMs / stepMs, fixedMs, workload.Configuration, timedFrom, timedTo);
    }

    /// <summary>
    /// Seconds on the monotonic clock: on Linux <see cref="Stopwatch"/> reads CLOCK_MONOTONIC, the clock
    /// <c>perf record -k CLOCK_MONOTONIC</c> stamps its samples with, so a profile can be cut to the timed steps.
    /// </summary>
    static double MonotonicSeconds() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;

    static int ReferenceBatch(string model) => model switch
    {
        "clip" => 128,
        "lm" => LanguageModelRunConfig.For("shapes", Presets.Quick).BatchSize,
        "llava" => LlavaRunConfig.For("shapes", Presets.Quick).BatchSize,
        _ => FlamingoRunConfig.For("shapes", Presets.Quick).BatchSize,
    };

    /// <summary>
    /// A model's workload at <paramref name="batch"/>, and a function of the step's time giving the share of a step spent
    /// waiting for data and the milliseconds a batch takes to make.
    /// </summary>
    static (Workload Workload, Func<double, (double Share, double Ms)> Data) Build(string model, Sizes sizes, int batch) => model switch
    {
        "clip" => Clip(sizes, batch),
        "lm" => LanguageModel(sizes, batch),
        "llava" => Llava(sizes, batch),
        "flamingo" => Flamingo(sizes, batch),
        _ => throw new ArgumentException($"unknown model {model}"),
    };

    /// <summary>Disposes what a workload holds.</summary>
    sealed class Holder(params IDisposable[] items) : IDisposable
    {
        public void Dispose() { foreach (var item in items) item.Dispose(); }
    }

    /// <summary>The share of a step a batch made on the training thread costs: such a step waits for all of it.</summary>
    static Func<double, (double Share, double Ms)> Synchronous(Action makeBatch) => stepMs =>
    {
        double ms = BenchCommand.Median(5, makeBatch);
        return (ms / (ms + stepMs), ms);
    };

    /// <summary>A training step: zero the gradients, the loss, backward, AdamW's update; returns the loss.</summary>
    static Func<Tensor> AdamStep(optim.Optimizer optimizer, Func<Tensor> loss) => () =>
    {
        optimizer.zero_grad();
        var value = loss();
        value.backward();
        optimizer.step();
        return value;
    };

    /// <summary>A tokenizer over ShapesWorld's captions, questions and the conversation format, as the runs build theirs.</summary>
    static WordTokenizer ShapesTokenizer(ShapesWorld shapes) =>
        WordTokenizer.Build(Enumerable.Range(0, 2000).SelectMany(i => shapes.Get(i).Captions.Concat(shapes.Get(i).Questions.Select(q => $"{q.Question} {q.Answer}")))
            .Append(ConversationFormat.VocabularyText));

    static (Workload, Func<double, (double, double)>) Clip(Sizes sizes, int batch)
    {
        int width = sizes.Width ?? 128, layers = sizes.Layers ?? 4, heads = Math.Max(1, width / 32);
        const int vocabulary = 1000, context = 32, imageSize = 32, patch = 4;
        manual_seed(0);
        // The CNN exactly as the quick preset builds it for 32-pixel images.
        var conv = ClipRunConfig.For("shapes", Presets.Quick).ModelConfigFor(vocabulary, vocabulary - 1, 0, imageSize).Conv;
        bool cnn = sizes.ImageEncoder == ImageEncoders.Cnn;
        var config = new ClipConfig(new TextTransformerConfig(vocabulary, EndOfTextId: vocabulary - 1, context, width, layers, heads))
        {
            ImageEncoder = sizes.ImageEncoder, Vision = new VisionTransformerConfig(imageSize, patch, width, layers, heads), Conv = conv, EmbedDim = width,
        };
        var model = new ClipModel(config);
        model.to(ComputeDevice.Current).train();
        var optimizer = new Workbench.Training.Optimizers.AdamW(model.parameters(), lr: 1e-3);
        var images = randn(batch, 3, imageSize, imageSize, device: ComputeDevice.Current);
        var tokens = randint(1, vocabulary - 1, [batch, context], dtype: ScalarType.Int64, device: ComputeDevice.Current);
        tokens[.., context - 1] = tensor(vocabulary - 1L);
        double flops = TrainingFlops.TrainingStep(cnn
            ? TrainingFlops.ClipCnnForward(batch, imageSize, 3, conv.BaseWidth, conv.Blocks, conv.ConvsPerBlock, conv.OutputWidth, context, width, layers, width)
            : TrainingFlops.ClipForward(batch, imageSize, patch, 3, width, layers, context, width, layers, width));
        void Update(Tensor loss)
        {
            loss.backward();
            optimizer.step();
            model.ClampLogitScale();
        }
        string tower = cnn ? $"CNN {imageSize}px, {conv.BaseWidth} channels doubling over {conv.Blocks} blocks, {conv.OutputWidth} features; text width {width}, {layers} layers, {heads} heads"
            : $"ViT {imageSize}px patch {patch}, width {width}, {layers}+{layers} layers, {heads} heads";
        var workload = new Workload(tower, flops, () =>
        {
            optimizer.zero_grad();
            var loss = model.Loss(images, tokens);
            Update(loss);
            return loss;
        }, new Holder(model, optimizer, images, tokens));
        // Real ShapesWorld batches from the loader training uses (4 batches prefetched on background threads), each fed
        // to the same step: the loader counts how long the step waited for it.
        return (workload, _ =>
        {
            var shapes = new ShapesWorld(new ShapesWorldConfig { Split = Split.Train });
            var loader = new DataLoader<ImageTextBatch>(shapes, new LoaderOptions(batch),
                ImageTextBatch.Collator(ShapesTokenizer(shapes), context, ClipRun.Normalization, seed: 0));
            LoaderStats? stats = null;
            foreach (var b in loader.Stream(0, 12, s => stats = s))
            {
                using var scope = NewDisposeScope();
                var (real, ids, _) = b.ToDevice(ComputeDevice.Current);
                optimizer.zero_grad();
                Update(model.Loss(real, ids));
            }
            return (stats!.WaitFraction, stats.Waiting.TotalMilliseconds / stats.Batches);
        });
    }

    static (Workload, Func<double, (double, double)>) LanguageModel(Sizes sizes, int batch)
    {
        var quick = LanguageModelRunConfig.For("shapes", Presets.Quick);
        int width = sizes.Width ?? quick.Width, layers = sizes.Layers ?? quick.Layers;
        int heads = width % quick.Heads == 0 ? quick.Heads : 1, context = quick.ContextLength;
        const int vocabulary = 1000;
        manual_seed(0);
        var model = new GptModel(new GptConfig(vocabulary, context, width, layers, heads));
        model.to(ComputeDevice.Current).train();
        var optimizer = new Workbench.Training.Optimizers.AdamW(model.parameters(), lr: 1e-3);
        var tokens = randint(0, vocabulary, [batch, context + 1], dtype: ScalarType.Int64, device: ComputeDevice.Current);
        var inputs = tokens[.., ..context].contiguous();
        var targets = tokens[.., 1..].contiguous();
        double flops = TrainingFlops.TrainingStep(TrainingFlops.LanguageModelForward(batch, context, width, layers, vocabulary));
        var workload = new Workload($"GPT width {width}, {layers} layers, {heads} heads, context {context}, vocabulary {vocabulary}", flops,
            AdamStep(optimizer, () => nn.functional.cross_entropy(model.forward(inputs).flatten(0, 1), targets.flatten())), new Holder(model, optimizer, tokens, inputs, targets));
        // The language model's task builds its batch on the training thread: caption-and-questions sequences, collated.
        var run = LanguageModelRun.Create(quick with { BatchSize = batch });
        long step = 0;
        return (workload, Synchronous(() =>
        {
            using var scope = NewDisposeScope();
            step++;
            TokenSequence.Collate(Enumerable.Range(0, batch).Select(row => run.TrainingSequence(step, 0, row)).ToList(), run.Tokenizer.PadId, ComputeDevice.Current);
        }));
    }

    /// <summary>The quick CNN tower, a quick-sized language model over ShapesWorld's words, real images' features.</summary>
    internal static (ImageEncoder Tower, GptModel Language, WordTokenizer Tokenizer, ShapesWorld Shapes) QuickParts(Sizes sizes, LanguageModelRunConfig language, ClipRunConfig vision)
    {
        var shapes = new ShapesWorld(new ShapesWorldConfig { Split = Split.Train });
        var tokenizer = ShapesTokenizer(shapes);
        manual_seed(0);
        var clip = new ClipModel(vision.ModelConfigFor(tokenizer.VocabularySize, tokenizer.EndId, tokenizer.PadId, 32));
        var lm = new GptModel(new GptConfig(tokenizer.VocabularySize, language.ContextLength, sizes.Width ?? language.Width, sizes.Layers ?? language.Layers,
            (sizes.Width ?? language.Width) % language.Heads == 0 ? language.Heads : 1));
        return (clip.ImageEncoder, lm, tokenizer, shapes);
    }

    static (Workload, Func<double, (double, double)>) Llava(Sizes sizes, int batch)
    {
        var llava = LlavaRunConfig.For("shapes", Presets.Quick);
        var (tower, language, tokenizer, shapes) = QuickParts(sizes, llava.Language, llava.Vision);
        var model = new LlavaModel(tower, language, llava.Projector, tokenizer.ImageId!.Value);
        model.FreezeLanguageModel(false);   // stage 2
        model.to(ComputeDevice.Current).train();
        var optimizer = new Workbench.Training.Optimizers.AdamW(model.parameters().Where(p => p.requires_grad), lr: 1e-4);
        var indices = Enumerable.Range(0, batch).ToList();
        using var images = ImageTensors.Of(shapes, indices, ClipRun.Normalization, ComputeDevice.Current);
        var features = model.VisionFeaturesOf(images);
        List<TokenSequence> Sequences(IEnumerable<int> rows) => rows.Select(i => TokenSequence.FittedConversation(tokenizer, SpecialTokens.Image,
            shapes.Get(i).Questions.Take(llava.TurnsPerSequence).ToList(), superviseAll: false, llava.Language.ContextLength, model.ImageTokens - 1)).ToList();
        var (tokens, targets) = TokenSequence.Collate(Sequences(indices), tokenizer.PadId, ComputeDevice.Current);
        long length = tokens.shape[1] - 1 + model.ImageTokens;
        int width = language.Width, layers = language.Blocks.Count;
        double flops = TrainingFlops.LlavaStageTwoStep(batch, model.ImageTokens, tower.TokenWidth, llava.Projector == Projectors.Mlp2xGelu, length, width, layers, tokenizer.VocabularySize);
        var workload = new Workload($"{llava.Projector} projector, {model.ImageTokens} image tokens, GPT width {width}, {layers} layers, sequences of {length}", flops,
            AdamStep(optimizer, () => model.Loss(tokens, targets, features)), new Holder(model, optimizer, features, tokens, targets));
        // LLaVA's task builds its batch on the training thread: conversation sequences, collated, and the cached feature rows gathered.
        var table = features.expand(8, -1, -1, -1).reshape(8 * batch, features.shape[1], features.shape[2]).contiguous();   // a cache of 8 batches' images
        var random = new Random(0);
        return (workload, Synchronous(() =>
        {
            using var scope = NewDisposeScope();
            var rows = Enumerable.Range(0, batch).Select(_ => random.Next(shapes.Count)).ToList();
            TokenSequence.Collate(Sequences(rows), tokenizer.PadId, ComputeDevice.Current);
            table.index_select(0, tensor(rows.Select(r => (long)(r % table.shape[0])).ToArray(), device: table.device));
        }));
    }

    static (Workload, Func<double, (double, double)>) Flamingo(Sizes sizes, int batch)
    {
        var flamingo = FlamingoRunConfig.For("shapes", Presets.Quick);
        var (tower, language, tokenizer, shapes) = QuickParts(sizes, flamingo.Language, flamingo.Vision);
        var model = new FlamingoModel(tower, language, tokenizer.ImageId!.Value, tokenizer.EndOfChunkId!.Value, flamingo.CrossAttentionEvery,
            flamingo.Latents, flamingo.ResamplerDepth, flamingo.VisionLayer, flamingo.Features, flamingo.PatchPositions);
        model.to(ComputeDevice.Current).train();
        var optimizer = new Workbench.Training.Optimizers.AdamW(model.parameters().Where(p => p.requires_grad), lr: 1e-4);
        int images = flamingo.ImagesPerDocument;
        var documents = Enumerable.Range(0, batch).Select(r => TokenizedInterleaved.From(InterleavedDocuments.Document(shapes, images, 0, r), tokenizer, addBegin: true)).ToList();
        var (ids, targets) = TokenSequence.Collate(documents.Select(d => new TokenSequence(d.Ids, d.Supervised)).ToList(), tokenizer.PadId, ComputeDevice.Current);
        if (ids.shape[1] > flamingo.Language.ContextLength) (ids, targets) = (ids[.., ..flamingo.Language.ContextLength], targets[.., ..flamingo.Language.ContextLength]);
        using var pictures = ImageTensors.Of(shapes, Enumerable.Range(0, batch * images).ToList(), ClipRun.Normalization, ComputeDevice.Current);
        var tokens = model.VisionFeaturesOf(pictures);
        var features = tokens.view(batch, images, tokens.shape[1], tokens.shape[2]);
        long length = ids.shape[1], patches = tokens.shape[1];
        int width = language.Width, layers = language.Blocks.Count, gated = model.CrossAttentionLayers.Count, latents = model.Latents;
        double flops = TrainingFlops.FlamingoStep(batch, images, patches, tower.TokenWidth, latents, flamingo.ResamplerDepth, gated, length, width, layers, tokenizer.VocabularySize);
        var workload = new Workload($"{latents} latents, depth {flamingo.ResamplerDepth}, {gated} gated blocks, GPT width {width}, {layers} layers frozen, {images} images, sequences of {length}", flops,
            AdamStep(optimizer, () => model.Loss(ids, targets, features)), new Holder(model, optimizer, ids, targets, tokens));
        // Flamingo's task builds its batch on the training thread: interleaved documents, tokenized, collated, features gathered.
        long next = batch;
        return (workload, Synchronous(() =>
        {
            using var scope = NewDisposeScope();
            var made = Enumerable.Range(0, batch).Select(_ => InterleavedDocuments.Document(shapes, images, 0, next++)).ToList();
            var tokenized = made.Select(d => TokenizedInterleaved.From(d, tokenizer, addBegin: true)).ToList();
            TokenSequence.Collate(tokenized.Select(d => new TokenSequence(d.Ids, d.Supervised)).ToList(), tokenizer.PadId, ComputeDevice.Current);
            FlamingoBatch.Stack(made.Select(_ => tokens.narrow(0, 0, images)).ToList());
        }));
    }
}
