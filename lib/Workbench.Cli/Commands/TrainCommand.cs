using System.CommandLine;
using System.Diagnostics;
using Workbench.Cli.Progress;
using Workbench.Data;
using Workbench.Models.Clip;
using Workbench.Runtime;
using Workbench.Training.Clip;
using Workbench.Training.Runs;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench train clip</c>, <c>workbench eval clip</c>.</summary>
static class TrainCommand
{
    public static Command Create()
    {
        var data = DataSourceInputs.DataOption("The data", defaultSource: "shapes");
        var preset = new Option<string>("--preset") { Description = "smoke (seconds: does it run?), quick (a laptop CPU in minutes) or full.", DefaultValueFactory = _ => "quick" };
        preset.AcceptOnlyFromAmong("smoke", "quick", "full");
        var seed = DataSourceInputs.SeedOption("Seed of weights, shuffles and caption choices.");
        var output = new Option<string>("--out", "-o") { Description = "Run folder: checkpoints, log.jsonl, metrics.json.", Required = true }.OutputPath();
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in --out." };
        var steps = new Option<long?>("--steps") { Description = "Override the preset's number of steps." }.AtLeast(1);
        var encoder = new Option<string?>("--image-encoder") { Description = "Override the preset's image encoder: vit or cnn." };
        encoder.AcceptOnlyFromAmong([.. ImageEncoders.Names]);
        var batch = new Option<int?>("--batch") { Description = "Override the preset's batch size." }.AtLeast(1);
        var convWidth = new Option<int?>("--conv-width") { Description = "Override the CNN's first-block width." }.AtLeast(1);
        var lr = new Option<double?>("--lr") { Description = "Override the preset's peak learning rate." }.Above(0);
        var onBadImage = DataSourceInputs.OnBadImageOption();
        var set = LanguageCommands.SetOption();
        var clip = new Command("clip", "Train CLIP (contrastive image-text pretraining) and evaluate it on held-out data.")
        {
            data, preset, seed, output, resume, steps, encoder, batch, convWidth, lr, onBadImage, set,
        };
        clip.SetAction((result, cancel) => Task.FromResult(Cli.Guard(() =>
        {
            var config = ClipRunConfig.For(result.GetValue(data)!, result.GetValue(preset)!, result.GetValue(seed));
            if (result.GetValue(steps) is { } s) config = config with { Steps = s };
            if (result.GetValue(encoder) is { } e) config = config with { ImageEncoder = e };
            if (result.GetValue(batch) is { } b) config = config with { BatchSize = b };
            if (result.GetValue(convWidth) is { } w) config = config with { ConvWidth = w };
            if (result.GetValue(lr) is { } l) config = config with { LearningRate = l };
            config = ConfigOverrides.Apply(config, result.GetValue(set) ?? []);
            string dir = result.GetValue(output)!;
            Console.WriteLine($"CLIP on {config.Data} ({config.Preset}): {config.ImageEncoder} image encoder, batch {config.BatchSize}, {config.Steps} steps, seed {config.Seed} -> {dir}");
            var watch = Stopwatch.StartNew();
            var sources = new DataSourceOptions(Seed: config.Seed, OnBadImage: result.GetValue(onBadImage));
            DataSourceInputs.RequireEverySplit(config.Data, sources);
            var run = ClipRun.Create(config, sources);
            var (metrics, trainingSeconds) = TerminalProgress.Show(config.Steps, progress =>
                (run.Fit(dir, result.GetValue(resume), progress.Step, progress.Eval, cancel).Report, progress.TrainingSeconds));
            if (metrics is null)
            {
                Console.WriteLine($"stopped; the last step is checkpointed: continue with --resume --out {dir}");
                return;
            }
            Console.WriteLine($"trained in {trainingSeconds:F0}s, evaluated in {watch.Elapsed.TotalSeconds - trainingSeconds:F0}s; held-out metrics ({Path.Combine(dir, "metrics.json")}):");
            Print(metrics.Metrics);
        })));
        var command = new Command("train", "Train a model.") { clip };
        return command;
    }

    public static Command CreateEval()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A run folder written by `workbench train clip`.", Required = true }.RunFolder();
        var data = DataSourceInputs.DataOption("Evaluate on another data source than the run's");
        var onBadImage = DataSourceInputs.OnBadImageOption();
        var clip = new Command("clip", "Evaluate a trained CLIP run on held-out data; prints and writes metrics.json.") { checkpoint, data, onBadImage };
        clip.SetAction(result => Cli.Guard(() =>
        {
            string dir = result.GetValue(checkpoint)!.ToString();
            var policy = result.GetValue(onBadImage);
            string? other = result.GetValue(data);
            // Another caption file is checked (and its skipped images listed) before the model loads; the run's own
            // caption file, if it has one, is reported as the run opens it.
            if (other is not null) DataSourceInputs.RequireEverySplit(other, new DataSourceOptions(OnBadImage: policy));
            var (run, model) = ClipRun.Load(dir, other);
            if (other is null) DataSourceInputs.ReportSkippedImages(run.Test, policy);
            DataSourceInputs.RequireSamples(run.Test, Split.Test);
            var metrics = run.Evaluate(model);
            new RunFolder(dir).WriteMetrics(metrics.Metrics);
            Console.WriteLine($"{run.Config.Data} test split, {Path.Combine(dir, RunFolder.MetricsFile)}:");
            Print(metrics.Metrics);
        }));
        return new Command("eval", "Evaluate a trained model.") { clip };
    }

    static void Print(IReadOnlyDictionary<string, double> metrics)
    {
        foreach (var (name, value) in metrics) Console.WriteLine($"  {name,-44} {value:0.####}");
    }
}
