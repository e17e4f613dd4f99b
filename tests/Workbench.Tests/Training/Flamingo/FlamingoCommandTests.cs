using System.Text.Json;
using SixLabors.ImageSharp;
using Workbench.Data;
using Workbench.Data.Shapes;

namespace Workbench.Tests.Training.Flamingo;

/// <summary>`workbench train flamingo`, `eval flamingo` and `generate` with several images, as a user runs them.</summary>
public sealed class FlamingoCommandTests
{
    [Fact]
    public void TrainWritesLlavasMetricsAndFewShotAndGenerateReadsInterleavedImages()
    {
        using var work = new TempFolder();   // the working folder: the smoke prerequisites are cached under its artifacts/
        string run = work["flamingo"];
        var train = Cli.Run(work.Path, TimeSpan.FromMinutes(5), "train", "flamingo", "--preset", "smoke", "--every", "2", "--latents", "3", "--out", run);
        Assert.True(train.ExitCode == 0, train.All);
        var metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(Path.Combine(run, "metrics.json")))!;
        foreach (var key in new[] { "vqa_exact_match", "vqa_exact_match_unseen", "vqa_exact_match_blind", "majority_baseline",
                     "vqa_exact_match_colour", "caption_token_accuracy", "few_shot_0", "few_shot_1", "few_shot_2", "few_shot_4" })
            Assert.True(metrics.ContainsKey(key), $"metrics.json lacks {key}");
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))).RootElement;
        Assert.Equal(2, config.GetProperty("CrossAttentionEvery").GetInt32());
        Assert.Equal(3, config.GetProperty("Latents").GetInt32());

        var scenes = new ShapesWorld(new ShapesWorldConfig { Split = Split.Test });
        string first = work["first.png"], second = work["second.png"];
        scenes.Get(0).Image.ToImage().SaveAsPng(first);
        scenes.Get(1).Image.ToImage().SaveAsPng(second);
        string prompt = "<image> <eoc> question : how many objects are there ? answer : 2 <eos> <image> <eoc> question : how many objects are there ? answer :";
        var answer = Cli.Run(work.Path, TimeSpan.FromMinutes(2), "generate", "--checkpoint", run, "--image", first, "--image", second,
            "--prompt", prompt, "--greedy", "--max-tokens", "2");
        Assert.True(answer.ExitCode == 0, answer.All);
        Assert.True(answer.Stdout.Trim().Split('\n').Length == 1, $"one answer line expected:\n{answer.Stdout}");   // a smoke model may answer nothing at all

        var mismatch = Cli.Run(work.Path, TimeSpan.FromMinutes(2), "generate", "--checkpoint", run, "--image", first, "--prompt", prompt);
        Assert.NotEqual(0, mismatch.ExitCode);
        Assert.Contains("2 <image> marker(s) but 1 --image file(s)", mismatch.All);

        var eval = Cli.Run(work.Path, TimeSpan.FromMinutes(2), "eval", "flamingo", "--checkpoint", run);
        Assert.True(eval.ExitCode == 0, eval.All);
        Assert.Contains("few_shot_4", eval.Stdout);
    }
}
