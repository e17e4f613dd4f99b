using System.CommandLine;
using System.Diagnostics;
using TorchSharp;
using Workbench.Data;
using Workbench.Data.Files;
using Workbench.Data.Loading;
using Workbench.Data.Shapes;
using Workbench.Models.Clip;
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
        return command;
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
        var optimizer = optim.AdamW(model.parameters(), lr: 1e-3);

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
