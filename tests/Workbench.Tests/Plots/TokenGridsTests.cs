using System.Text.Json.Nodes;
using SixLabors.ImageSharp.PixelFormats;
using Workbench.Data;
using Workbench.Plots;

namespace Workbench.Tests.Plots;

public sealed class TokenGridsTests
{
    [Fact]
    public void TokensFillTheGridRowByRow()
    {
        var grid = TokenGrids.ToGrid([0, 1, 2, 3, 4, 5, 6, 7, 8]);

        Assert.Equal([0.0, 1, 2], grid[0]);
        Assert.Equal([6.0, 7, 8], grid[2]);
        Assert.Throws<ArgumentException>(() => TokenGrids.ToGrid([1, 2, 3]));
    }

    [Fact]
    public void TheImageAndEachPanelGetTheirOwnAxesSideBySide()
    {
        var image = new RgbImage(2, 2);
        image[1, 0] = new Rgb24(255, 0, 0);
        var figure = TokenGrids.Beside(image, "path",
            new TokenGridPanel("norms", [1, 2, 3, 4]),
            new TokenGridPanel("words", [0.1, 0.2, 0.3, 0.4], ["red", "circle", "a", "the"]));

        var json = JsonNode.Parse(figure.ToJson())!;
        var data = json["data"]!.AsArray();
        Assert.Equal(["image", "heatmap", "heatmap"], data.Select(t => (string?)t!["type"]));
        Assert.Equal(["x", "x2", "x3"], data.Select(t => (string?)t!["xaxis"]));
        // Pixel (x 1, y 0) is z[0][1] = [255, 0, 0].
        Assert.Equal(255, (int)data[0]!["z"]![0]![1]![0]!);
        Assert.Equal(3.0, (double)data[1]!["z"]![1]![0]!);
        Assert.Equal("circle", (string?)data[2]!["text"]![0]![1]);
        var layout = json["layout"]!;
        double firstEnd = (double)layout["xaxis"]!["domain"]![1]!, secondStart = (double)layout["xaxis2"]!["domain"]![0]!;
        Assert.True(firstEnd < secondStart, "panels must not overlap");
        Assert.Equal("reversed", (string?)layout["yaxis3"]!["autorange"]);
        Assert.Equal(3, layout["annotations"]!.AsArray().Count);
        Assert.Throws<ArgumentException>(() => TokenGrids.Beside(null, "bad", new TokenGridPanel("words", [1, 2, 3, 4], ["one"])));
    }
}
