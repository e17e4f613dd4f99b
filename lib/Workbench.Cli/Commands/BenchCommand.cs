using System.CommandLine;
using System.Diagnostics;
using TorchSharp;
using Workbench.Data;
using Workbench.Data.Files;
using Workbench.Data.Loading;
using Workbench.Data.Shapes;
using Workbench.Models.Clip;
using Workbench.Models.Llava;
using Workbench.Training.Clip;
using Workbench.Training.Language;
using Workbench.Training.Llava;
using Workbench.Training.Runs;
using Workbench.Runtime;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench bench data</c>: speed figures for the data pipeline, printed, never asserted in tests.</summary>
static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks that print figures (medians, side by side).");
        var samples = new Option<int>("--samples") { Description = "ShapesWorld samples per repeat.", DefaultValueFactory = _ => 20_000 }.AtLeast(1);
        var repeats = new Option<int>("--repeats") { Description = "Repeats (the median is reported).", DefaultValueFactory = _ => 5 }.AtLeast(1);
        var steps = new Option<int>("--steps") { Description = "Training steps per loader measurement.", DefaultValueFactory = _ => 30 }.AtLeast(1);
        var batch = new Option<int>("--batch") { Description = "Batch size of the training steps.", DefaultValueFactory = _ => 128 }.AtLeast(1);
        var data = new Command("data", "ShapesWorld generation rate on one core, and how long a quick CLIP training step waits for the loader.")
        {
            samples, repeats, steps, batch,
        };
        data.SetAction(result => Cli.Guard(() => Data(result.GetValue(samples), result.GetValue(repeats), result.GetValue(steps), result.GetValue(batch))));
        command.Subcommands.Add(data);

        var cacheBatch = new Option<int>("--batch") { Description = "Sequences (and images) per LLaVA step.", DefaultValueFactory = _ => 64 }.AtLeast(1);
        var cacheRepeats = new Option<int>("--repeats") { Description = "Timed repeats of each part after one warm-up (the median is reported).", DefaultValueFactory = _ => 5 }.AtLeast(1);
        var featureCache = new Command("feature-cache", "What LLaVA's feature cache saves a training step: the frozen tower's forward pass beside a quick LLaVA step on cached features, for the quick CNN tower and for a ViT-B/32-sized one.")
        {
            cacheBatch, cacheRepeats,
        };
        featureCache.SetAction(result => Cli.Guard(() => FeatureCacheSaving(result.GetValue(cacheBatch), result.GetValue(cacheRepeats))));
        command.Subcommands.Add(featureCache);
        foreach (var model in ModelBench.Commands()) command.Subcommands.Add(model);
        command.Subcommands.Add(HostOverheadBench.Create());
        return command;
    }

    /// <summary>
    /// Median times of (a) a quick LLaVA stage-2 step (projector and language model, forward, backward, AdamW) on cached
    /// tower features, (b) the quick CLIP tower's forward pass over the step's images, (c) the forward pass of a
    /// ViT-B/32-sized tower (width 768, 12 blocks, patch 32, 224-pixel images) over as many images: the share of a step
    /// the cache saves is b / (a + b) for the quick tower and c / (a + c) for the large one. Fresh weights: speed does not
    /// depend on them.
    /// </summary>
    static void FeatureCacheSaving(int batchSize, int repeats)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, {ComputeDevice.Current}; batch {batchSize}, median of {repeats}");
        var llava = LlavaRunConfig.For("shapes", Presets.Quick);
        var (tower, language, tokenizer, shapes) = ModelBench.QuickParts(new ModelBench.Sizes(null, null, null), llava.Language, llava.Vision);
        using var model = new LlavaModel(tower, language, llava.Projector, tokenizer.ImageId!.Value);
        model.to(ComputeDevice.Current);
        var optimizer = new Workbench.Training.Optimizers.AdamW(model.parameters().Where(p => p.requires_grad), lr: 1e-4);
        var indices = Enumerable.Range(0, batchSize).ToList();
        using var images = ImageTensors.Of(shapes, indices, ClipRun.Normalization, ComputeDevice.Current);
        using var features = model.VisionFeaturesOf(images);
        var random = new Random(0);
        var sequences = indices.Select(i => TokenSequence.FittedConversation(tokenizer, SpecialTokens.Image, shapes.Get(i).Questions.Take(llava.TurnsPerSequence).ToList(),
            superviseAll: false, llava.Language.ContextLength, model.ImageTokens - 1)).ToList();
        var (tokens, targets) = TokenSequence.Collate(sequences, tokenizer.PadId, ComputeDevice.Current);

        double step = Median(repeats, () =>
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            model.Loss(tokens, targets, features).backward();
            optimizer.step();
        });
        double tiny = Median(repeats, () => { using var scope = NewDisposeScope(); model.VisionFeaturesOf(images); });
        Console.WriteLine($"quick LLaVA step on cached features ({model.ImageTokens} image tokens, sequences of {tokens.shape[1] - 1 + model.ImageTokens}): {step:F0} ms");
        Console.WriteLine($"quick {llava.Vision.ImageEncoder} tower forward, {batchSize} images of 32x32: {tiny:F0} ms -> the cache saves {100 * tiny / (step + tiny):F1}% of a step");

        using var large = new VisionTransformer(new VisionTransformerConfig(ImageSize: 224, PatchSize: 32, Width: 768, Layers: 12, Heads: 12));
        large.to(ComputeDevice.Current).eval();
        using var big = randn(batchSize, 3, 224, 224, device: ComputeDevice.Current);
        double vit = Median(repeats, () => { using var scope = NewDisposeScope(); large.FrozenFeatures(big, large.DefaultTokenLayer); });
        Console.WriteLine($"ViT-B/32-sized tower forward (width 768, 12 blocks, 224x224, 49 patches), {batchSize} images: {vit:F0} ms " +
                          $"-> beside the same step the cache saves {100 * vit / (step + vit):F1}% ({(step + vit) / step:F1}x faster steps)");
    }

    /// <summary>The median wall time in milliseconds of <paramref name="repeats"/> runs of <paramref name="action"/> after one warm-up run.</summary>
    internal static double Median(int repeats, Action action)
    {
        action();
        var times = Enumerable.Range(0, repeats).Select(_ => { var w = Stopwatch.StartNew(); action(); return w.Elapsed.TotalMilliseconds; }).Order().ToList();
        return times[times.Count / 2];
    }

    static void Data(int samples, int repeats, int steps, int batchSize)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, {ComputeDevice.Current}");

        var generation = ShapesWorldBenchmark.Measure(samples, repeats);
        Console.WriteLine($"ShapesWorld 32x32, one thread, {samples} samples x {repeats}: median {generation.MedianPerSecond:F0} samples/s " +
                          $"(repeats: {string.Join(", ", generation.RatesPerSecond.Select(r => r.ToString("F0")))})");

        var shapes = new ShapesWorld(new ShapesWorldConfig { Split = Split.Train });
        var tokenizer = WordTokenizer.Build(Enumerable.Range(0, 2000).SelectMany(i => shapes.Get(i).Captions));
        var collate = ImageTextBatch.Collator(tokenizer, 32, ImageNormalization.Half, seed: 0);
        manual_seed(0);
        var model = new ClipModel(ClipConfig.Quick(tokenizer.VocabularySize, tokenizer.EndId)).to(ComputeDevice.Current);
        var optimizer = new Workbench.Training.Optimizers.AdamW(model.parameters(), lr: 1e-3);

        Console.WriteLine($"quick CLIP training steps (batch {batchSize}, {steps} steps after 3 warm-up steps), loader feeding them:");
        foreach (int prefetch in new[] { 4, 0 })
        {
            var loader = new DataLoader<ImageTextBatch>(shapes, new LoaderOptions(batchSize, Prefetch: prefetch), collate);
            foreach (var b in loader.Stream(0, 3)) Step(model, optimizer, b);
            LoaderStats? stats = null;
            var watch = Stopwatch.StartNew();
            foreach (var b in loader.Stream(3, steps, s => stats = s)) Step(model, optimizer, b);
            watch.Stop();
            Console.WriteLine($"  prefetch {prefetch}: the step waited for data {100 * stats!.WaitFraction:F1}% of the time " +
                              $"({stats.Waiting.TotalMilliseconds / steps:F1} ms a step), {steps / watch.Elapsed.TotalSeconds:F2} steps/s");
        }
    }

    static void Step(ClipModel model, optim.Optimizer optimizer, ImageTextBatch batch)
    {
        using var scope = NewDisposeScope();
        var (images, tokens, groups) = batch.ToDevice(ComputeDevice.Current);
        optimizer.zero_grad();
        model.Loss(images, tokens, groups).backward();
        optimizer.step();
        model.ClampLogitScale();
    }
}
