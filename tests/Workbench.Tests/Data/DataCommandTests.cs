using SixLabors.ImageSharp;

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
