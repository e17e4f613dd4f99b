using SixLabors.ImageSharp;
using Workbench.Tests.Data.Files;

namespace Workbench.Tests.Data;

/// <summary>`workbench data show|stats` as a user runs them.</summary>
public sealed class DataCommandTests
{
    [Fact]
    public void ShowWritesALabelledGridAndPrintsEachSamplesLanguage()
    {
        using var temp = new TempFolder();
        var result = Cli.Run("data", "show", "shapes", "--split", "test", "--count", "4", "--seed", "3", "--out", temp["grid.png"]);
        Assert.True(result.ExitCode == 0, result.All);
        for (int i = 0; i < 4; i++) Assert.Contains($"#{i}  shapes/test/", result.Stdout);
        Assert.Contains("caption: ", result.Stdout);
        Assert.Contains("Q: how many shapes are there?", result.Stdout);
        using var image = Image.Load(temp["grid.png"]);
        Assert.True(image.Width > 4 * 32 && image.Height > 32);
    }

    [Fact]
    public void StatsPrintsDistributions()
    {
        var result = Cli.Run("data", "stats", "shapes", "--count", "300");
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("shapes: ", result.Stdout);
        Assert.Contains("colours:", result.Stdout);
        Assert.Contains("places:", result.Stdout);
        Assert.Contains("vocabulary", result.Stdout);
    }

    [Fact]
    public void AnUnknownSourceOrAMalformedCaptionFileIsAClearError()
    {
        using var temp = new TempFolder();
        var unknown = Cli.Run("data", "stats", "no-such-source");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("Unknown data source 'no-such-source'", unknown.Stderr);

        File.WriteAllText(temp["captions.csv"], "filepath,text\na.png,a cat\n");
        var malformed = Cli.Run("data", "stats", temp["captions.csv"]);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("captions.csv", malformed.Stderr);
        Assert.Contains("caption", malformed.Stderr);
    }

    [Fact]
    public void ShowAndStatsListEveryImageTheCaptionFileNamesButCannotUse()
    {
        using var folder = new MixedImageFolder();
        using var temp = new TempFolder();
        var stats = Cli.Run("data", "stats", folder.Captions);
        var show = Cli.Run("data", "show", folder.Captions, "--out", temp["grid.png"]);

        Assert.True(stats.ExitCode == 0, stats.All);
        Assert.True(show.ExitCode == 0, show.All);
        Assert.Contains("captions.csv: 3 samples (3 examined)", stats.Stdout);
        Assert.Contains("3 samples of captions.csv train", show.Stdout);
        MixedImageFolder.AssertListsEveryBadImage(stats);
        MixedImageFolder.AssertListsEveryBadImage(show);
    }

    [Fact]
    public void TheSkippedListNamesTheFirstTwentyAndCountsTheRest()
    {
        using var folder = new SampleFilesFolder();
        folder.WriteImage("good.png", SampleFilesFolder.Solid(8, 8, new SixLabors.ImageSharp.PixelFormats.Rgb24(1, 2, 3)));
        string captions = folder.WriteText("captions.csv",
            "filepath,caption\ngood.png,a dark square\n" + string.Concat(Enumerable.Range(0, 25).Select(i => $"gone{i}.png,lost\n")));

        var result = Cli.Run("data", "stats", captions);

        Assert.True(result.ExitCode == 0, result.All);
        var listed = result.Stderr.Split('\n').Where(l => l.Contains("gone") && l.Contains("not found")).ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"gone{i}.png"), listed.Select(l => l.Split(':')[1].Trim()));
        Assert.Contains("... and 5 more", result.Stderr);
    }

    [Fact]
    public void FailOnBadImageStopsAtTheFirstNamingTheFileAndTheProblem()
    {
        using var folder = new MixedImageFolder();
        using var temp = new TempFolder();
        foreach (var result in new[]
                 {
                     Cli.Run("data", "stats", folder.Captions, "--on-bad-image", "fail"),
                     Cli.Run("data", "show", folder.Captions, "--on-bad-image", "fail", "--out", temp["grid.png"]),
                 })
            folder.AssertStopsAtTheFirstBadImage(result);
        Assert.False(File.Exists(temp["grid.png"]));
    }

    [Fact]
    public void ACountOfZeroIsAUsageErrorNamingTheOption()
    {
        using var temp = new TempFolder();
        foreach (var result in new[]
                 {
                     Cli.Run("data", "show", "shapes", "--count", "0", "--out", temp["grid.png"]),
                     Cli.Run("data", "stats", "shapes", "--count", "0"),
                 })
        {
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("--count must be at least 1, got 0", result.Stderr);
            Assert.DoesNotContain("   at ", result.All);
        }
    }

    [Fact]
    public void AnEmptySplitOfACaptionFileIsAClearFailure()
    {
        using var folder = new MixedImageFolder();   // every usable image hashes to train
        using var temp = new TempFolder();
        foreach (var result in new[]
                 {
                     Cli.Run("data", "show", folder.Captions, "--split", "test", "--out", temp["grid.png"]),
                     Cli.Run("data", "stats", folder.Captions, "--split", "test"),
                 })
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("captions.csv has no samples in the test split (of its 3 usable images;", result.Stderr);
            Assert.DoesNotContain("   at ", result.All);
            Assert.DoesNotContain("Unhandled exception", result.All);
        }
    }

    [SkippableFact]
    public void FashionMnistShowsClassCaptions()
    {
        Skip.If(Workbench.Data.FashionMnistLocator.TryLocate() is null, "Fashion-MNIST is not installed");
        using var temp = new TempFolder();
        var result = Cli.Run("data", "show", "fashion-mnist", "--split", "test", "--count", "3", "--out", temp["f.png"]);
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("caption: a photo of a", result.Stdout);
        Assert.Contains("[ankle boot]", result.Stdout); // the first test image is an ankle boot
    }
}
