using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Workbench.Data;
using Workbench.Data.Files;

namespace Workbench.Tests.Data;

public sealed class SplitViewTests
{
    [Fact]
    public void AUsersCaptionFileSplitsIntoDisjointPartsByIdWithoutDecodingImages()
    {
        using var temp = new TempFolder();
        var lines = new List<string> { "filepath,caption" };
        for (int i = 0; i < 60; i++)
        {
            using var image = new Image<Rgb24>(4, 4, new Rgb24((byte)i, 0, 0));
            image.SaveAsPng(temp[$"img{i}.png"]);
            lines.Add($"img{i}.png,picture {i}");
        }
        File.WriteAllLines(temp["captions.csv"], lines);
        var folder = new ImageTextFolder(temp["captions.csv"], options: new ImageTextFolderOptions(ImageSize: 4));
        foreach (var png in Directory.GetFiles(temp.Path, "*.png")) File.Delete(png); // any decoding would now fail

        var parts = new[] { Split.Train, Split.Validation, Split.Test }.Select(s => new SplitView(folder, s)).ToList();

        Assert.Equal(60, parts.Sum(p => p.Count));
        var ids = parts.SelectMany(p => Enumerable.Range(0, p.Count).Select(p.IdOf)).ToList();
        Assert.Equal(60, ids.Distinct().Count());
        Assert.True(parts[0].Count > parts[2].Count);
        Assert.All(Enumerable.Range(0, parts[2].Count), i => Assert.Equal(Split.Test, SplitView.SplitOf(parts[2].IdOf(i))));
    }
}
