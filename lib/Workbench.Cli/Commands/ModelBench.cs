using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using Workbench.Models.Clip;
using Workbench.Models.Language;
using Workbench.Runtime;
using Workbench.Training.Language;
using Workbench.Training.Runs;
using static TorchSharp.torch;

namespace Workbench.Cli.Commands;

/// <summary>
/// <c>workbench bench clip|lm|all</c>: training steps a second of each model at a reference configuration, the FLOPs of a
/// step counted from its shapes (<see cref="TrainingFlops"/>), the GFLOP/s that makes, and the machine's own fp32 and bf16
/// matrix-product rates measured in the same run, so the fraction of the ceiling reached is read off one line. Synthetic
/// inputs (speed does not depend on the data); median of the timed steps after warm-up.
/// </summary>
static class ModelBench
{
    /// <summary>One model's figures; <c>--json</c> prints it as one object per line.</summary>
    public sealed record Result(string Model, string Precision, int Batch, int Threads, int Steps, double StepsPerSecond, double GflopsPerStep,
        double AchievedGflops, double MatmulFp32Gflops, double MatmulBf16Gflops, double CeilingFraction, double PeakRssMb, double FinalLoss, string Configuration);

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IEnumerable<Command> Commands()
    {
        foreach (var (name, description) in new[]
        {
            ("clip", "CLIP at the reference configuration: 32x32 RGB, patch 4, ViT width 128, 4 layers, 4 heads, MLP 512; text vocabulary 1,000, context 32, width 128, 4 layers; batch 128; AdamW."),
            ("lm", "The language model at its quick size: width 128, 4 layers, 4 heads, context 128, vocabulary 1,000; batch 64; AdamW."),
            ("all", "Every model above, one after another."),
        })
        {
            var precision = new Option<string>("--precision") { Description = "Arithmetic of the step: fp32 (bf16-mixed is not built yet).", DefaultValueFactory = _ => "fp32" };
            precision.AcceptOnlyFromAmong("fp32");
            var batch = new Option<int?>("--batch") { Description = "Override the reference batch size." }.AtLeast(1);
            var width = new Option<int?>("--width") { Description = "Override the reference width (both CLIP towers)." }.AtLeast(8);
            var layers = new Option<int?>("--layers") { Description = "Override the reference number of blocks (both CLIP towers)." }.AtLeast(1);
            var steps = new Option<int>("--steps") { Description = "Timed steps after 3 warm-up steps (the median is reported).", DefaultValueFactory = _ => 20 }.AtLeast(1);
            var threads = new Option<int?>("--threads") { Description = "LibTorch intra-op threads (default: as the process starts, the core count)." }.AtLeast(1);
            var json = new Option<bool>("--json") { Description = "One JSON object per model (model, precision, steps_per_second, gflops_per_step, achieved_gflops, matmul_fp32_gflops, matmul_bf16_gflops, peak_rss_mb, ...)." };
            var command = new Command(name, description) { precision, batch, width, layers, steps, threads, json };
            string model = name;
            command.SetAction(result => Cli.Guard(() =>
            {
                if (result.GetValue(threads) is int t) set_num_threads(t);
                var (fp32, bf16) = MatmulCeilings();
                if (!result.GetValue(json))
                    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, {ComputeDevice.Current}; " +
                                      $"square matrix products (up to 2048): fp32 {fp32:F0} GFLOP/s, bf16 {bf16:F1} GFLOP/s (median of 5)");
                var sizes = (result.GetValue(batch), result.GetValue(width), result.GetValue(layers));
                foreach (var m in model == "all" ? new[] { "clip", "lm" } : [model])
                {
                    var r = m == "clip" ? Clip(sizes, result.GetValue(steps), fp32, bf16) : LanguageModel(sizes, result.GetValue(steps), fp32, bf16);
                    Console.WriteLine(result.GetValue(json) ? JsonSerializer.Serialize(r, Json)
                        : $"{r.Model} ({r.Configuration}, batch {r.Batch}, {r.Precision}, {r.Threads} threads): {r.StepsPerSecond:F2} steps/s, " +
                          $"{r.GflopsPerStep:F1} GFLOP a step -> {r.AchievedGflops:F0} GFLOP/s = {100 * r.CeilingFraction:F0}% of the fp32 matmul rate; " +
                          $"peak RSS {r.PeakRssMb:F0} MB; loss after {r.Steps + 3} steps {r.FinalLoss:F3}");
                }
            }));
            yield return command;
        }
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

    static Result Clip((int? Batch, int? Width, int? Layers) sizes, int steps, double fp32, double bf16)
    {
        int batch = sizes.Batch ?? 128, width = sizes.Width ?? 128, layers = sizes.Layers ?? 4, heads = Math.Max(1, width / 32);
        const int vocabulary = 1000, context = 32, imageSize = 32, patch = 4;
        manual_seed(0);
        var config = new ClipConfig(new TextTransformerConfig(vocabulary, EndOfTextId: vocabulary - 1, context, width, layers, heads))
        {
            ImageEncoder = ImageEncoders.Vit, Vision = new VisionTransformerConfig(imageSize, patch, width, layers, heads), EmbedDim = width,
        };
        using var model = new ClipModel(config);
        model.to(ComputeDevice.Current).train();
        var optimizer = optim.AdamW(model.parameters(), lr: 1e-3);
        using var images = randn(batch, 3, imageSize, imageSize, device: ComputeDevice.Current);
        using var tokens = randint(1, vocabulary - 1, [batch, context], dtype: ScalarType.Int64, device: ComputeDevice.Current);
        tokens[.., context - 1] = tensor(vocabulary - 1L);
        double flops = TrainingFlops.TrainingStep(TrainingFlops.ClipForward(batch, imageSize, patch, 3, width, layers, context, width, layers, width));
        return Measure("clip", $"ViT {imageSize}px patch {patch}, width {width}, {layers}+{layers} layers, {heads} heads", batch, steps, flops, fp32, bf16, () =>
        {
            optimizer.zero_grad();
            var loss = model.Loss(images, tokens);
            loss.backward();
            optimizer.step();
            model.ClampLogitScale();
            return loss;
        });
    }

    static Result LanguageModel((int? Batch, int? Width, int? Layers) sizes, int steps, double fp32, double bf16)
    {
        var quick = LanguageModelRunConfig.For("shapes", Presets.Quick);
        int batch = sizes.Batch ?? quick.BatchSize, width = sizes.Width ?? quick.Width, layers = sizes.Layers ?? quick.Layers;
        int heads = width % quick.Heads == 0 ? quick.Heads : 1, context = quick.ContextLength;
        const int vocabulary = 1000;
        manual_seed(0);
        using var model = new GptModel(new GptConfig(vocabulary, context, width, layers, heads));
        model.to(ComputeDevice.Current).train();
        var optimizer = optim.AdamW(model.parameters(), lr: 1e-3);
        using var tokens = randint(0, vocabulary, [batch, context + 1], dtype: ScalarType.Int64, device: ComputeDevice.Current);
        using var inputs = tokens[.., ..context].contiguous();
        using var targets = tokens[.., 1..].contiguous();
        double flops = TrainingFlops.TrainingStep(TrainingFlops.LanguageModelForward(batch, context, width, layers, vocabulary));
        return Measure("lm", $"GPT width {width}, {layers} layers, {heads} heads, context {context}, vocabulary {vocabulary}", batch, steps, flops, fp32, bf16, () =>
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(inputs).flatten(0, 1), targets.flatten());
            loss.backward();
            optimizer.step();
            return loss;
        });
    }

    static Result Measure(string name, string configuration, int batch, int steps, double flops, double fp32, double bf16, Func<Tensor> step)
    {
        float loss = 0;
        void Run() { using var scope = NewDisposeScope(); loss = step().item<float>(); }
        for (int i = 0; i < 2; i++) Run();                    // warm-up (Median adds a third)
        double ms = BenchCommand.Median(steps, Run);
        double perSecond = 1000 / ms, achieved = flops * perSecond / 1e9;
        return new Result(name, "fp32", batch, get_num_threads(), steps, perSecond, flops / 1e9, achieved, fp32, bf16, achieved / fp32, ProcessMemory.PeakRssMb(), loss, configuration);
    }
}
