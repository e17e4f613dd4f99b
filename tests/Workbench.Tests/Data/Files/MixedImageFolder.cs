using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Workbench.Data;

namespace Workbench.Tests.Data.Files;

/// <summary>
/// A caption file of seven rows over a folder of images: three good PNGs (whose paths all hash to the train split,
/// so the validation and test splits are empty), then a corrupt PNG, a truncated JPEG, a missing file and a PNG
/// whose header claims 30000x30000 pixels, each of the four unusable for its own reason.
/// </summary>
public sealed class MixedImageFolder : IDisposable
{
    readonly SampleFilesFolder folder = new();

    /// <summary>The good images, as the caption file names them.</summary>
    public IReadOnlyList<string> Good { get; }

    /// <summary>The bad images in caption file order, with a word their reason contains.</summary>
    public static readonly IReadOnlyList<(string File, string Reason)> Bad =
    [
        ("corrupt.png", "not a recognised image format"),
        ("truncated.jpg", "damaged"),
        ("missing.png", "not found"),
        ("bomb.png", "30000x30000"),
    ];

    /// <summary>The caption file.</summary>
    public string Captions { get; }

    /// <summary>The folder.</summary>
    public string Root => folder.Root;

    public MixedImageFolder()
    {
        Good = Enumerable.Range(0, 100).Select(i => $"good{i}.png").Where(p => SplitView.SplitOf(p) == Split.Train).Take(3).ToList();
        foreach (var (name, i) in Good.Select((n, i) => (n, i)))
            folder.WriteImage(name, SampleFilesFolder.Solid(12, 12, new Rgb24((byte)(80 * i), 100, 200)));
        folder.WriteBytes("corrupt.png", Enumerable.Repeat((byte)0x5A, 100).ToArray());
        folder.WriteBytes("truncated.jpg", HalfAJpeg());
        folder.WriteBytes("bomb.png", PngSurgery.WithClaimedSize(PngSurgery.SmallPng(), 30000, 30000));
        Captions = folder.WriteText("captions.csv",
            "filepath,caption\n" + string.Concat(Good.Select(g => $"{g},a coloured square\n")) +
            string.Concat(Bad.Select(b => $"{b.File},an image that cannot be used\n")));
    }

    /// <summary>The first half of a real JPEG: its header is cut before the frame is described.</summary>
    static byte[] HalfAJpeg()
    {
        using var image = SampleFilesFolder.Solid(64, 64, new Rgb24(30, 60, 90)).ToImage();
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream);
        var bytes = stream.ToArray();
        return bytes[..(bytes.Length / 2)];
    }

    /// <summary>A command that skipped the bad images listed each, with its reason, under the summary.</summary>
    public static void AssertListsEveryBadImage(Cli.Result result)
    {
        Assert.Contains("captions.csv: 7 images listed, 3 usable, 4 skipped", result.Stderr);
        foreach (var (file, reason) in Bad)
            Assert.Contains(result.Stderr.Split('\n'), line => line.Contains(file) && line.Contains(reason));
    }

    /// <summary>A command told to fail on bad images stopped at the first with one line naming it, and exit code 2.</summary>
    public void AssertStopsAtTheFirstBadImage(Cli.Result result)
    {
        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(Path.Combine(Root, "corrupt.png"), line);
        Assert.Contains("not a recognised image format", line);
        Assert.DoesNotContain("   at ", result.All);
    }

    public void Dispose() => folder.Dispose();
}
