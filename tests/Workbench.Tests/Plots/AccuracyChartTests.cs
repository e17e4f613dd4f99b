using System.Text.Json.Nodes;
using Workbench.Plots;

namespace Workbench.Tests.Plots;

public sealed class AccuracyChartTests
{
    [Fact]
    public void ReadsEachKindsFigureAndLeavesAGapForAMissingOne()
    {
        var metrics = new Dictionary<string, double>
        {
            ["vqa"] = 0.6, ["vqa_colour"] = 0.9, ["vqa_count"] = 0.3, ["vqa_blind"] = 0.2, ["other_colour"] = 0.1,
        };

        var bars = AccuracyChart.Read("model", metrics, "vqa", [AccuracyChart.All, "colour", "count", "shape"]);

        Assert.Equal(0.6, bars.Accuracy[0]);
        Assert.Equal(0.9, bars.Accuracy[1]);
        Assert.Equal(0.3, bars.Accuracy[2]);
        Assert.True(double.IsNaN(bars.Accuracy[3]));
    }

    [Fact]
    public void DrawsOneGroupedBarTracePerSeriesOnAPercentAxis()
    {
        string[] kinds = ["colour", "count"];
        var figure = AccuracyChart.ByKind("per kind", kinds, new AccuracyBars("model", [0.9, double.NaN]), new AccuracyBars("majority", [0.2, 0.4]));

        var json = JsonNode.Parse(figure.ToJson())!;
        var data = json["data"]!.AsArray();
        Assert.Equal(2, data.Count);
        Assert.Equal("bar", (string?)data[0]!["type"]);
        Assert.Equal("majority", (string?)data[1]!["name"]);
        Assert.Equal(["colour", "count"], data[0]!["x"]!.AsArray().Select(x => (string?)x));
        Assert.Null(data[0]!["y"]![1]);   // NaN is a gap
        Assert.Equal("group", (string?)json["layout"]!["barmode"]);
        Assert.Equal(1.0, (double)json["layout"]!["yaxis"]!["range"]![1]!);
        Assert.Throws<ArgumentException>(() => AccuracyChart.ByKind("bad", kinds, new AccuracyBars("short", [0.5])));
    }
}
