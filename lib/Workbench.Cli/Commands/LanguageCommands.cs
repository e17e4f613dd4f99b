using System.CommandLine;
using System.Diagnostics;
using TorchSharp;
using Workbench.Cli.Progress;
using Workbench.Data;
using Workbench.Data.Files;
using Workbench.Data.Loading;
using Workbench.Models.Language;
using Workbench.Models.Llava;
using Workbench.Models.Pretrained;
using Workbench.Runtime;
using Workbench.Text;
using Workbench.Training;
using Workbench.Training.Language;
using Workbench.Training.Flamingo;
using Workbench.Training.Llava;
using Workbench.Training.Runs;
using Workbench.Training.VisionLanguage;
using static TorchSharp.torch;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench train lm|llava</c>, <c>workbench eval lm|llava</c> and <c>workbench generate</c>.</summary>
static class LanguageCommands
{
    static Option<string> PresetOption()
    {
        var preset = new Option<string>("--preset") { Description = "smoke (seconds: does it run?), quick (a laptop CPU in minutes) or full.", DefaultValueFactory = _ => Presets.Quick };
        preset.AcceptOnlyFromAmong(Presets.Smoke, Presets.Quick, Presets.Full);
        return preset;
    }

    /// <summary><c>train lm</c> and <c>train llava</c>, to add under <c>train</c>.</summary>
    public static IEnumerable<Command> TrainCommands()
    {
        {
            var (data, preset, seed, output, resume, steps, lr) = CommonOptions();
            var set = SetOption();
            var lm = new Command("lm", "Train the language model on the data's captions and question-answer text; evaluate perplexity and answers with and without the caption.")
            {
                data, preset, seed, output, resume, steps, lr, set,
            };
            lm.SetAction((result, cancel) => Task.FromResult(Cli.Guard(() =>
            {
                var config = LanguageModelRunConfig.For(result.GetValue(data)!, result.GetValue(preset)!, result.GetValue(seed));
                config = config with { Trainer = Override(config.Trainer, result.GetValue(steps), result.GetValue(lr)) };
                config = ConfigOverrides.Apply(config, result.GetValue(set) ?? []);
                string dir = result.GetValue(output)!;
                Console.WriteLine($"language model on {config.Data} ({config.Preset}): width {config.Width}, {config.Layers} layers, {config.Trainer.Steps} steps -> {dir}");
                Fit(LanguageModelRun.Create(config), dir, result.GetValue(resume), cancel);
            })));
            yield return lm;
        }
        {
            var (data, preset, seed, output, resume, steps, lr) = CommonOptions();
            var stage = new Option<int>("--stage") { Description = "1: align the projector on captions; 2: tune on questions and answers.", DefaultValueFactory = _ => 2 };
            stage.AcceptOnlyFromAmong("1", "2");
            var projector = new Option<string?>("--projector") { Description = $"The projector: {string.Join(" or ", Projectors.Names)}." };
            projector.AcceptOnlyFromAmong([.. Projectors.Names]);
            var freeze = new Option<bool>("--freeze-lm") { Description = "Stage 2: keep the language model frozen (LLaVA tunes it)." };
            var set = SetOption();
            var prerequisites = PrerequisiteOptions.Create();
            var llava = new Command("llava", "Train LLaVA: a frozen CLIP tower's features projected into the language model's token embeddings (the tower and the language model are trained first if missing).")
            {
                data, preset, seed, output, resume, steps, lr, stage, projector, freeze, set,
            };
            prerequisites.AddTo(llava);
            llava.SetAction((result, cancel) => Task.FromResult(Cli.Guard(() =>
            {
                var config = LlavaRunConfig.For(result.GetValue(data)!, result.GetValue(preset)!, result.GetValue(stage), result.GetValue(seed));
                if (result.GetValue(projector) is { } p) config = config with { Projector = p };
                if (result.GetValue(freeze)) config = config with { FreezeLanguageModel = true };
                config = config with { Trainer = Override(config.Trainer, result.GetValue(steps), result.GetValue(lr)) };
                config = ConfigOverrides.Apply(config, result.GetValue(set) ?? []);
                string dir = result.GetValue(output)!;
                Console.WriteLine($"LLaVA stage {config.Stage} on {config.Data} ({config.Preset}): {config.Projector} projector, language model {(config.Stage == 1 || config.FreezeLanguageModel ? "frozen" : "tuned")}, {config.Trainer.Steps} steps -> {dir}");
                var (vision, language) = prerequisites.Paths(result);
                var run = LlavaRun.Create(config, Console.WriteLine, PrerequisiteStep, visionRun: vision, languageRun: language);
                Fit(run, dir, result.GetValue(resume), cancel);
            })));
            yield return llava;
        }
        {
            var (data, preset, seed, output, resume, steps, lr) = CommonOptions();
            var every = new Option<int?>("--every") { Description = "A gated cross-attention block before every N-th language-model block (default 1: every block)." }.AtLeast(1);
            var latents = new Option<int?>("--latents") { Description = "The Perceiver resampler's latents: visual tokens per image (default 8)." }.AtLeast(1);
            var set = SetOption();
            var prerequisites = PrerequisiteOptions.Create();
            var flamingo = new Command("flamingo", "Train Flamingo: a Perceiver resampler and tanh-gated cross-attention blocks between the frozen language model's blocks, on interleaved image-text documents (the tower and the language model are trained first if missing).")
            {
                data, preset, seed, output, resume, steps, lr, every, latents, set,
            };
            prerequisites.AddTo(flamingo);
            flamingo.SetAction((result, cancel) => Task.FromResult(Cli.Guard(() =>
            {
                var config = FlamingoRunConfig.For(result.GetValue(data)!, result.GetValue(preset)!, result.GetValue(seed));
                if (result.GetValue(every) is { } n) config = config with { CrossAttentionEvery = n };
                if (result.GetValue(latents) is { } k) config = config with { Latents = k };
                config = config with { Trainer = Override(config.Trainer, result.GetValue(steps), result.GetValue(lr)) };
                config = ConfigOverrides.Apply(config, result.GetValue(set) ?? []);
                string dir = result.GetValue(output)!;
                Console.WriteLine($"Flamingo on {config.Data} ({config.Preset}): {config.Latents} latents, cross-attention every {config.CrossAttentionEvery} block(s), {config.Trainer.Steps} steps -> {dir}");
                var (vision, language) = prerequisites.Paths(result);
                var run = FlamingoRun.Create(config, Console.WriteLine, PrerequisiteStep, visionRun: vision, languageRun: language);
                Fit(run, dir, result.GetValue(resume), cancel);
            })));
            yield return flamingo;
        }
    }

    /// <summary>
    /// Where LLaVA's and Flamingo's tower and language model come from: a workbench run folder (<c>--vision-run</c>,
    /// <c>--lm-run</c>), a pretrained checkpoint (<c>--vision-checkpoint</c>: an OpenAI/OpenCLIP ViT CLIP;
    /// <c>--lm-checkpoint</c>: a Hugging Face GPT-2), or by default the preset's runs, trained on demand.
    /// </summary>
    sealed record PrerequisiteOptions(Option<DirectoryInfo?> VisionRun, Option<DirectoryInfo?> LanguageRun,
        Option<FileInfo?> VisionCheckpoint, Option<FileInfo?> LanguageCheckpoint)
    {
        public static PrerequisiteOptions Create()
        {
            var visionRun = new Option<DirectoryInfo?>("--vision-run") { Description = "A trained CLIP run folder whose image encoder is the tower (default: the preset's, trained on demand)." };
            visionRun.Check(d => d is null || d.Exists ? null : $"--vision-run: folder not found: {d}");
            var languageRun = new Option<DirectoryInfo?>("--lm-run") { Description = "A trained language-model run folder (default: the preset's, trained on demand)." };
            languageRun.Check(d => d is null || d.Exists ? null : $"--lm-run: folder not found: {d}");
            var visionCheckpoint = new Option<FileInfo?>("--vision-checkpoint") { Description = "A pretrained CLIP ViT (OpenAI/OpenCLIP state dict: .safetensors, .pt, .bin) whose image tower is the tower." }.ExistingFile();
            var languageCheckpoint = new Option<FileInfo?>("--lm-checkpoint") { Description = "A pretrained GPT-2 (Hugging Face state dict: .safetensors, .bin; config.json beside it) as the language model, with GPT-2's tokenizer." }.ExistingFile();
            return new(visionRun, languageRun, visionCheckpoint, languageCheckpoint);
        }

        public void AddTo(Command command)
        {
            foreach (Option option in new Option[] { VisionRun, LanguageRun, VisionCheckpoint, LanguageCheckpoint }) command.Options.Add(option);
        }

        /// <summary>The tower's and the language model's run folder or checkpoint file; null: the preset's.</summary>
        public (string? Vision, string? Language) Paths(ParseResult result) => (
            One(result.GetValue(VisionRun)?.ToString(), result.GetValue(VisionCheckpoint)?.ToString(), "--vision-run", "--vision-checkpoint"),
            One(result.GetValue(LanguageRun)?.ToString(), result.GetValue(LanguageCheckpoint)?.ToString(), "--lm-run", "--lm-checkpoint"));

        static string? One(string? run, string? checkpoint, string runName, string checkpointName) =>
            run is not null && checkpoint is not null ? throw new ArgumentException($"Give {runName} or {checkpointName}, not both.") : run ?? checkpoint;
    }

    /// <summary><c>eval lm</c> and <c>eval llava</c>, to add under <c>eval</c>.</summary>
    public static IEnumerable<Command> EvalCommands()
    {
        foreach (var method in new[] { "lm", "llava", "flamingo" })
        {
            var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = $"A run folder written by `workbench train {method}`.", Required = true }.RunFolder(method);
            var command = new Command(method, $"Evaluate a trained {method} run on held-out data; prints and writes metrics.json.") { checkpoint };
            command.SetAction(result => Cli.Guard(() =>
            {
                string dir = result.GetValue(checkpoint)!.ToString();
                IReadOnlyDictionary<string, double> metrics;
                if (method == "lm")
                {
                    var (run, model) = LanguageModelRun.Load(dir);
                    metrics = run.Evaluate(model).Metrics;
                }
                else if (method == "llava")
                {
                    var (run, model) = LlavaRun.Load(dir);
                    metrics = run.Evaluate(model).Metrics;
                }
                else
                {
                    var (run, model) = FlamingoRun.Load(dir);
                    metrics = run.Evaluate(model).Metrics;
                }
                new RunFolder(dir).WriteMetrics(metrics);
                Console.WriteLine($"test split, {Path.Combine(dir, RunFolder.MetricsFile)}:");
                Print(metrics);
            }));
            yield return command;
        }
    }

    /// <summary><c>generate</c>: answer a prompt about images with a LLaVA or Flamingo run, or continue text with a language-model run.</summary>
    public static Command Generate()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A LLaVA, Flamingo or language-model run folder." }.RunFolder("llava");
        var lmCheckpoint = new Option<FileInfo?>("--lm-checkpoint") { Description = "Instead of a run: a pretrained GPT-2 (Hugging Face state dict, config.json beside it) continues --prompt, with GPT-2's tokenizer." }.ExistingFile();
        var image = new Option<string[]>("--image")
        {
            Description = "An image file (PNG, JPEG...). Flamingo reads several: repeat the option and write <image> in --prompt where each goes, in order.",
            AllowMultipleArgumentsPerToken = false,
        };
        image.Check(files => files.Any(string.IsNullOrWhiteSpace) ? "--image: give the path of an image file."
            : files.FirstOrDefault(f => !File.Exists(f)) is { } missing ? $"--image: file not found: {missing}" : null);
        var prompt = new Option<string>("--prompt") { Description = "A question about the image (LLaVA, Flamingo), an interleaved prompt with <image> markers (Flamingo), or text to continue (language model).", Required = true }
            .Check(text => string.IsNullOrWhiteSpace(text) ? "--prompt: give a question or a text to continue." : null);
        var greedy = new Option<bool>("--greedy") { Description = "Take the most likely token each time (default: sample with temperature 0.8, top-k 10)." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 16 }.AtLeast(1);
        var seed = DataSourceInputs.SeedOption("Seed of the sampling.");
        var command = new Command("generate", "Answer a question about an image with a LLaVA or Flamingo run (Flamingo: several images, interleaved), or continue a text prompt with a language-model run.")
        {
            checkpoint, lmCheckpoint, image, prompt, greedy, maxTokens, seed,
        };
        command.SetAction(result => Cli.Guard(() =>
        {
            if ((result.GetValue(checkpoint) is null) == (result.GetValue(lmCheckpoint) is null))
                throw new ArgumentException("Give either --checkpoint DIR (a workbench run) or --lm-checkpoint FILE (a pretrained GPT-2).");
            if (result.GetValue(lmCheckpoint) is { } gpt2)
            {
                if (result.GetValue(image) is { Length: > 0 }) throw new ArgumentException("--lm-checkpoint continues text: it reads no image (drop --image).");
                Console.WriteLine(ContinueWithGpt2(gpt2.ToString(), result.GetValue(prompt)!,
                    new SamplingOptions(result.GetValue(maxTokens), result.GetValue(greedy), Temperature: 0.8, TopK: 10, StopToken: Gpt2Tokenizer.EndOfTextId, Seed: result.GetValue(seed))));
                return;
            }
            string dir = result.GetValue(checkpoint)!.ToString();
            int max = result.GetValue(maxTokens);
            string method = new RunFolder(dir).Method;
            string question = result.GetValue(prompt)!;
            var imagePaths = (result.GetValue(image) ?? []).ToList();
            using var scope = NewDisposeScope();
            if (method == "llava")
            {
                if (imagePaths.Count != 1) throw new ArgumentException($"A LLaVA run answers about one image: give --image FILE once (got {imagePaths.Count}).");
                var (run, model) = LlavaRun.Load(dir);
                var features = model.VisionFeaturesOf(Pictures(imagePaths, run.Train));
                var ids = run.Tokenizer.Encode(ConversationFormat.Prompt(SpecialTokens.Image, question, run.Config.QuestionFirst));
                WarnUnknown(run.Tokenizer, question);
                Console.WriteLine(LlavaEvaluation.Answer(model, run.Tokenizer, [ids], features, max)[0]);
            }
            else if (method == "flamingo")
            {
                if (imagePaths.Count == 0) throw new ArgumentException("A Flamingo run answers about images: give --image FILE (repeat it for several).");
                var (run, model) = FlamingoRun.Load(dir);
                int markers = question.Split(SpecialTokens.Image).Length - 1;
                int[] ids = markers == 0 && imagePaths.Count == 1 ? FlamingoEvaluation.QueryPrompt(run.Tokenizer, question)
                    : markers == imagePaths.Count ? [run.Tokenizer.BeginId, .. run.Tokenizer.Encode(question)]
                    : throw new ArgumentException($"The prompt has {markers} {SpecialTokens.Image} marker(s) but {imagePaths.Count} --image file(s) were given: write one marker where each image goes.");
                WarnUnknown(run.Tokenizer, question.Replace(SpecialTokens.Image, " "));
                var features = model.VisionFeaturesOf(Pictures(imagePaths, run.Train)).unsqueeze(0);
                Console.WriteLine(FlamingoEvaluation.Answer(model, run.Tokenizer, [ids], features, max)[0]);
            }
            else if (method == "lm")
            {
                if (imagePaths.Count > 0) throw new ArgumentException($"{dir} is a language-model run: it reads no image (drop --image).");
                var (run, model) = LanguageModelRun.Load(dir);
                WarnUnknown(run.Tokenizer, question);
                var ids = tensor(new[] { (long)run.Tokenizer.BeginId }.Concat(run.Tokenizer.Encode(question).Select(i => (long)i)).ToArray()).unsqueeze(0).to(ComputeDevice.Current);
                var options = new SamplingOptions(max, result.GetValue(greedy), Temperature: 0.8, TopK: 10, StopToken: run.Tokenizer.EndId, Seed: result.GetValue(seed));
                var generated = TextGeneration.Generate(model, model.Embed(ids), null, options)[0];
                Console.WriteLine(question + " " + run.Tokenizer.Decode(generated.Select(i => (int)i)));
            }
            else throw new ArgumentException($"{dir} is a '{method}' run; generate works with lm, llava and flamingo runs.");
        }));
        return command;
    }

    /// <summary>The prompt and a pretrained GPT-2's continuation of it, tokenized with GPT-2's BPE.</summary>
    static string ContinueWithGpt2(string checkpoint, string prompt, SamplingOptions options)
    {
        var tokenizer = Gpt2Tokenizer.Create();
        using var model = Gpt2Checkpoint.Load(checkpoint);
        model.to(ComputeDevice.Current);
        using var scope = NewDisposeScope();
        var ids = tensor(tokenizer.Encode(prompt).Select(i => (long)i).ToArray()).unsqueeze(0).to(ComputeDevice.Current);
        var generated = TextGeneration.Generate(model, model.Embed(ids), null, options)[0];
        return prompt + tokenizer.Decode(generated.Select(i => (int)i));
    }

    /// <summary>Image files decoded, resized and centre-cropped to the training images' size, as the tower's input (B, C, H, W).</summary>
    static Tensor Pictures(IReadOnlyList<string> paths, IImageTextDataset train)
    {
        int size = train.Get(0).Image.Width;
        var pictures = paths.Select(path =>
        {
            using var decoded = ImageDecoder.Default.Decode(path);
            return ImagePreprocessing.ResizeAndCenterCrop(decoded, size);
        }).ToList();
        return ImageTensors.Of(pictures, LlavaRun.Normalization, ComputeDevice.Current);
    }

    static void WarnUnknown(ITextTokenizer tokenizer, string text)
    {
        var unknown = tokenizer.UnknownWords(text);
        if (unknown.Count > 0) Console.Error.WriteLine($"warning: not in the model's vocabulary, read as {SpecialTokens.Unknown}: {string.Join(", ", unknown)}");
    }

    static (Option<string?> Data, Option<string> Preset, Option<int> Seed, Option<string> Output, Option<bool> Resume, Option<long?> Steps, Option<double?> Lr) CommonOptions() =>
    (
        DataSourceInputs.DataOption("The data", defaultSource: "shapes"), PresetOption(),
        DataSourceInputs.SeedOption("Seed of weights and data order."),
        new Option<string>("--out", "-o") { Description = "Run folder: checkpoints, log.jsonl, metrics.json.", Required = true }.OutputPath(),
        new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in --out." },
        new Option<long?>("--steps") { Description = "Override the preset's number of steps." }.AtLeast(1),
        new Option<double?>("--lr") { Description = "Override the preset's peak learning rate." }.Above(0)
    );

    /// <summary><c>--set Name=value</c>, repeatable: changes any setting of the preset (<see cref="ConfigOverrides"/>).</summary>
    internal static Option<string[]> SetOption() => new("--set")
    {
        Description = "Change a setting of the preset, Name=value or Trainer.Name=value (repeatable), e.g. --set Width=96.",
        AllowMultipleArgumentsPerToken = false,
    };

    static TrainerConfig Override(TrainerConfig trainer, long? steps, double? lr)
    {
        if (steps is { } s) trainer = trainer with { Steps = s, WarmupSteps = Math.Min(trainer.WarmupSteps, Math.Max(0, s / 10)) };
        if (lr is { } l) trainer = trainer with { LearningRate = l };
        trainer.Validate();
        return trainer;
    }

    static void Fit<TConfig, TModel, TReport>(MethodRun<TConfig, TModel, TReport> run, string dir, bool resume, CancellationToken cancel)
        where TConfig : IMethodConfig where TModel : nn.Module where TReport : class, IRunReport
    {
        var watch = Stopwatch.StartNew();
        var report = TerminalProgress.Show(run.Config.Trainer.Steps, progress => run.Fit(dir, resume, progress.Step, progress.Eval, cancel).Report);
        if (report is null)
        {
            Console.WriteLine($"stopped; the last step is checkpointed: continue with --resume --out {dir}");
            return;
        }
        Console.WriteLine($"done in {watch.Elapsed.TotalSeconds:F0}s; held-out metrics ({Path.Combine(dir, RunFolder.MetricsFile)}):");
        Print(report.Metrics);
    }

    /// <summary>A prerequisite's training, as plain lines (it runs before the main progress display).</summary>
    static void PrerequisiteStep(StepRecord r)
    {
        if (r.Step == 1 || r.Step % 50 == 0) Console.WriteLine($"  prerequisite step {r.Step}  loss {r.Loss:F4}  {r.StepsPerSecond:F2} steps/s");
    }

    static void Print(IReadOnlyDictionary<string, double> metrics)
    {
        foreach (var (name, value) in metrics) Console.WriteLine($"  {name,-44} {value:0.####}");
    }
}
