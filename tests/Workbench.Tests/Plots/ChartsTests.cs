using System.Text.Json.Nodes;
using Workbench.Plots;

namespace Workbench.Tests.Plots;

public sealed class ChartsTests
{
    [Fact]
    public void PcaFindsTheDirectionOfGreatestVariance()
    {
        // Points along (1, 1, 0) with a little noise on the third axis: PC 1 is t * sqrt(2) up to sign.
        var random = new Random(1);
        var t = Enumerable.Range(0, 50).Select(i => i / 10.0 - 2.5).ToArray();
        var data = t.SelectMany(v => new[] { (float)v, (float)v, (float)(random.NextDouble() * 0.01) }).ToArray();
        var projected = Charts.Pca(data, 50, 3, 2);
        double tMean = t.Average();
        for (int i = 0; i < 50; i++)
            Assert.Equal(Math.Abs((t[i] - tMean) * Math.Sqrt(2)), Math.Abs(projected[i, 0]), 3);
        Assert.True(Enumerable.Range(0, 50).All(i => Math.Abs(projected[i, 1]) < 0.02));
    }

    [Fact]
    public void FiguresSerialiseToPlotlyJson()
    {
        var figure = Charts.ConfusionMatrix([[3, 1], [0, 4]], ["cat", "dog"]);
        var json = JsonNode.Parse(figure.ToJson())!;
        Assert.Equal("heatmap", (string?)json["data"]![0]!["type"]);
        Assert.Equal(1.0, (double)json["data"]![0]!["z"]![0]![1]!);
        Assert.Equal("predicted", (string?)json["layout"]!["xaxis"]!["title"]!["text"]);

        var curves = Charts.Curves("loss", "loss", [new Series("run a", [1, 2], [0.5, double.NaN])]);
        var y = JsonNode.Parse(curves.ToJson())!["data"]![0]!["y"]!.AsArray();
        Assert.Null(y[1]); // NaN becomes a gap, which plotly.js understands (JSON has no NaN)
    }
}
