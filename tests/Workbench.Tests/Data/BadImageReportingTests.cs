using Workbench.IO;
using Workbench.Runtime;
using Workbench.Tests.Data.Files;
using Workbench.Training.Clip;

namespace Workbench.Tests.Data;

/// <summary>
/// `train clip`, `eval clip` and `embed` on a caption file some of whose images cannot be used: each lists what it left
/// out, with reasons, or with `--on-bad-image fail` stops at the first bad image naming it. (`data show|stats`:
/// <see cref="DataCommandTests"/>.)
/// </summary>
public sealed class BadImageReportingTests(BadImageReportingTests.TinyRun run) : IClassFixture<BadImageReportingTests.TinyRun>
{
    /// <summary>A one-step CLIP run on ShapesWorld, trained in-process: a real checkpoint for `embed` and `eval`.</summary>
    public sealed class TinyRun : IDisposable
    {
        readonly TempFolder folder = new();
        public string Dir => folder["run"];

        public TinyRun()
        {
            var config = ClipRunConfig.For("shapes", "quick") with
            {
                ImageEncoder = "cnn", ConvWidth = 4, ConvBlocks = 2, BatchSize = 8, Steps = 1, WarmupSteps = 1, EvalEvery = 0,
                RetrievalSamples = 50, ValidationSamples = 20, LinearProbeSamples = 0, VocabularySamples = 200,
            };
            ClipRun.Create(config).Fit(Dir);
        }

        public void Dispose() => folder.Dispose();
    }

    [Fact]
    public void TrainListsTheSkippedImagesAndRefusesEmptySplitsBeforeTraining()
    {
        using var folder = new MixedImageFolder();
        using var temp = new TempFolder();
        var result = Cli.Run("train", "clip", "--data", folder.Captions, "--out", temp["run"]);

        Assert.Equal(1, result.ExitCode);
        MixedImageFolder.AssertListsEveryBadImage(result);
        Assert.Contains("captions.csv: its 3 usable images give train 3, validation 0, test 0; every split needs samples", result.Stderr);
        Assert.False(Directory.Exists(temp["run"]), "training must not start");
    }

    [Fact]
    public void TrainWithFailStopsAtTheFirstBadImage()
    {
        using var folder = new MixedImageFolder();
        using var temp = new TempFolder();
        var result = Cli.Run("train", "clip", "--data", folder.Captions, "--on-bad-image", "fail", "--out", temp["run"]);
        folder.AssertStopsAtTheFirstBadImage(result);
        Assert.False(Directory.Exists(temp["run"]));
    }

    [Fact]
    public void EvalOnACaptionFileListsTheSkippedImagesOrStopsAtTheFirst()
    {
        using var folder = new MixedImageFolder();
        var skip = Cli.Run("eval", "clip", "--checkpoint", run.Dir, "--data", folder.Captions);
        Assert.Equal(1, skip.ExitCode);
        MixedImageFolder.AssertListsEveryBadImage(skip);
        Assert.Contains("every split needs samples", skip.Stderr);

        folder.AssertStopsAtTheFirstBadImage(Cli.Run("eval", "clip", "--checkpoint", run.Dir, "--data", folder.Captions, "--on-bad-image", "fail"));
    }

    [Fact]
    public void EmbedListsTheSkippedImagesAndEmbedsTheRest()
    {
        using var folder = new MixedImageFolder();
        using var temp = new TempFolder();
        var result = Cli.Run("embed", "--checkpoint", run.Dir, "--data", folder.Captions, "--split", "train", "--out", temp["images.npy"]);

        Assert.True(result.ExitCode == 0, result.All);
        MixedImageFolder.AssertListsEveryBadImage(result);
        Assert.Equal(3, NpyFile.Read(temp["images.npy"]).Rows);

        var fail = Cli.Run("embed", "--checkpoint", run.Dir, "--data", folder.Captions, "--split", "train", "--on-bad-image", "fail", "--out", temp["fail.npy"]);
        folder.AssertStopsAtTheFirstBadImage(fail);
        Assert.False(File.Exists(temp["fail.npy"]));
    }
}
