using System.Text.Json;
using TorchSharp;
using Workbench.Data.Files;
using Workbench.IO;
using Workbench.Models;
using Workbench.Models.Pretrained;
using Workbench.Tests.Models.Pretrained;
using Workbench.Text;
using Workbench.Training.Flamingo;
using Workbench.Training.Llava;
using Workbench.Training.Runs;
using Workbench.Training.VisionLanguage;
using static TorchSharp.torch;

namespace Workbench.Tests.Training;

/// <summary>
/// LLaVA and Flamingo standing on pretrained checkpoints instead of workbench runs: a CLIP ViT in OpenAI's layout as the
/// tower (reading 16-pixel images, so the workbench's 32-pixel scenes are resized) and a GPT-2 in Hugging Face's layout
/// with GPT-2's 50,257-token vocabulary as the language model. Random weights, tiny widths: what is tested is the plumbing.
/// </summary>
[Collection(GlobalRandomState.Name)]
public sealed class PretrainedPrerequisitesTests : IDisposable
{
    readonly TempFolder temp = new();
    readonly string clip, gpt2;

    public PretrainedPrerequisitesTests()
    {
        using var scope = NewDisposeScope();
        Directory.CreateDirectory(temp["clip"]);
        Directory.CreateDirectory(temp["gpt2"]);
        clip = Path.Combine(temp["clip"], "open_clip_model.safetensors");
        PythonStateDict.Write(clip, PublishedModels.RandomClip(seed: 11, width: 64, embed: 32, patch: 4));
        gpt2 = Path.Combine(temp["gpt2"], "model.safetensors");
        PythonStateDict.Write(gpt2, PublishedModels.RandomGpt2(seed: 12, vocabulary: Gpt2Tokenizer.Gpt2VocabularySize, context: 128, width: 16));
        File.WriteAllText(Path.Combine(temp["gpt2"], Gpt2Checkpoint.ConfigFile), """{"n_head": 2}""");
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public void ThePretrainedTowerReadsTheWorkbenchsImagesAsClipsPreprocessingWouldHandThemToIt()
    {
        using var scope = NewDisposeScope();
        var published = PublishedModels.RandomClip(seed: 11, width: 64, embed: 32, patch: 4);
        using var tower = PretrainedImageTower.FromCheckpoint(clip, ImageNormalization.Half);
        Assert.Equal(16, tower.ImageSize);
        var pixels = rand([2, 3, 32, 32], generator: new Generator(5));              // in [0, 1]
        var half = (pixels - 0.5) / 0.5;                                              // as the workbench's loaders give them
        var mean = tensor(new[] { 0.48145466f, 0.4578275f, 0.40821073f }).view(1, 3, 1, 1);
        var std = tensor(new[] { 0.26862954f, 0.26130258f, 0.27577711f }).view(1, 3, 1, 1);
        var clipInput = nn.functional.interpolate((pixels - mean) / std, [16, 16], mode: InterpolationMode.Bicubic, align_corners: false);
        // The tower's pooled output is ln_post of the class token: the reference with an identity projection.
        published["visual.proj"] = eye(64);
        using var noGrad = no_grad();
        Assert.True(tower.forward(half).allclose(PublishedModels.ClipEncodeImage(published, clipInput, heads: 1), rtol: 1e-4, atol: 1e-4));
        Assert.Equal(16, tower.TokenCount(-2));
    }

    [Fact]
    public void LlavaTrainsOnAPretrainedClipTowerAndGpt2AndReopensFromTheFilesItRecorded()
    {
        var config = LlavaRunConfig.For("shapes", Presets.Smoke, stage: 1) is var l ? l with
        {
            BatchSize = 4, TestSamples = 3, ValidationSamples = 2, Trainer = l.Trainer with { Steps = 3, WarmupSteps = 1, EvalEvery = 0, CheckpointEvery = 0 },
        } : null!;
        var run = LlavaRun.Create(config, visionRun: clip, languageRun: gpt2);
        Assert.IsType<Gpt2Tokenizer>(run.Tokenizer);
        var result = run.Fit(temp["llava"]);
        Assert.Equal(50260, result.Model.LanguageModel.Config.VocabularySize);
        Assert.True(double.IsFinite(result.Report!.Metrics["caption_token_accuracy"]));
        AssertRecordsTheCheckpoints(temp["llava"]);

        var (reopened, model) = LlavaRun.Load(temp["llava"]);
        Assert.IsType<Gpt2Tokenizer>(reopened.Tokenizer);
        Assert.Equal(result.Report.Metrics["caption_token_accuracy"], reopened.Evaluate(model).Metrics["caption_token_accuracy"], 6);
    }

    [Fact]
    public void FlamingoTrainsOnAPretrainedClipTowerAndGpt2()
    {
        var config = FlamingoRunConfig.For("shapes", Presets.Smoke) is var f ? f with
        {
            Latents = 2, ResamplerDepth = 1, BatchSize = 2, TrainSamples = 50, TestSamples = 3, ValidationSamples = 2, FewShotEpisodes = 2,
            Trainer = f.Trainer with { Steps = 2, WarmupSteps = 1, EvalEvery = 0, CheckpointEvery = 0 },
        } : null!;
        var run = FlamingoRun.Create(config, visionRun: clip, languageRun: gpt2);
        var result = run.Fit(temp["flamingo"]);
        Assert.True(result.Report!.Metrics.ContainsKey("few_shot_4"));
        AssertRecordsTheCheckpoints(temp["flamingo"]);
        var (_, model) = FlamingoRun.Load(temp["flamingo"]);
        Assert.Equal(50260, model.LanguageModel.Config.VocabularySize);
    }

    [Fact]
    public void ARunOnCheckpointsHasItsOwnPlaceInThePrerequisiteCache()
    {
        var config = LlavaRunConfig.For("shapes", Presets.Smoke, stage: 1);
        var run = LlavaRun.Create(config, visionRun: clip, languageRun: gpt2);
        Assert.Contains(Path.GetFullPath(clip), run.Provenance);
        Assert.Contains(Path.GetFullPath(gpt2), run.Provenance);
        // A stage-2 run's stage-1 prerequisite on these checkpoints must not be found in the slot of the default one.
        string own = PrerequisiteRuns.FolderFor(config, temp.Path, run.Provenance);
        Assert.NotEqual(PrerequisiteRuns.FolderFor(config, temp.Path), own);
        // Other weights in the same file (another size) are another foundation.
        File.AppendAllText(Path.Combine(temp["gpt2"], "model.safetensors"), " ");
        Assert.NotEqual(own, PrerequisiteRuns.FolderFor(config, temp.Path, LlavaRun.Create(config, visionRun: clip, languageRun: gpt2).Provenance));
    }

    void AssertRecordsTheCheckpoints(string runDir)
    {
        var named = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(runDir, "prerequisites.json")))!;
        Assert.Equal(Path.GetFullPath(clip), named["vision"]);
        Assert.Equal(Path.GetFullPath(gpt2), named["language"]);
    }

    [Fact]
    public void GenerateContinuesAPromptWithAPretrainedGpt2AsGreedyDecodingOfGpt2Would()
    {
        using var scope = NewDisposeScope();
        var published = PublishedModels.RandomGpt2(seed: 12, vocabulary: Gpt2Tokenizer.Gpt2VocabularySize, context: 128, width: 16);
        var tokenizer = Gpt2Tokenizer.Create();
        const string prompt = "The red circle is";
        var ids = tokenizer.Encode(prompt).Select(i => (long)i).ToList();
        var continuation = new List<int>();
        for (int step = 0; step < 5; step++)
        {
            var logits = PublishedModels.Gpt2Logits(published, tensor(ids.ToArray()).unsqueeze(0), heads: 2);
            int next = (int)logits[0, -1].argmax().item<long>();
            if (next == Gpt2Tokenizer.EndOfTextId) break;
            continuation.Add(next);
            ids.Add(next);
        }
        var result = Cli.Run("generate", "--lm-checkpoint", gpt2, "--prompt", prompt, "--greedy", "--max-tokens", "5");
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(prompt + tokenizer.Decode(continuation), result.Stdout.TrimEnd('\n', '\r'));
    }
}
