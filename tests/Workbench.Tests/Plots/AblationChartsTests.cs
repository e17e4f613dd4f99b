using System.Text.Json;
using Workbench.Plots;
using Workbench.Sweeps;
using Workbench.Training.Runs;

namespace Workbench.Tests.Plots;

/// <summary>The ablation pictures hold the trials' numbers, the fitted line and the confidence intervals worked by hand.</summary>
public sealed class AblationChartsTests
{
    /// <summary>Three data sizes, two seeds each; metric = 0.1 · n^0.25 exactly for seed 0, ±0.01 for seed 1.</summary>
    static SweepResults Results()
    {
        var sweep = new SweepDefinition { Method = "clip", Preset = "smoke", Axes = [SweepAxis.Of("TrainSamples", 16, 256, 4096)], Seeds = [0, 1] };
        return new SweepResults(sweep.Trials().Select(t =>
        {
            double n = double.Parse(t.Values[0].Value);
            double metric = 0.1 * Math.Pow(n, 0.25) + (t.Seed == 0 ? 0 : 0.01);
            var status = new TrialStatus(true, 0, null, 1, DateTime.UtcNow, "test");
            return new TrialResult(t, status, new Dictionary<string, double> { ["score"] = metric }, new TrainingSummary(1000 + (long)n, 10, 8));
        }).ToList());
    }

    static JsonElement Json(Figure figure) => JsonDocument.Parse(figure.ToJson()).RootElement;

    [Fact]
    public void ScalingLawDrawsEveryTrialAndTheFittedLineOnLogLogAxes()
    {
        var json = Json(AblationCharts.ScalingLaw(Results(), "TrainSamples", "score"));
        var data = json.GetProperty("data");
        Assert.Equal(6, data[0].GetProperty("x").GetArrayLength());
        Assert.Equal("log", json.GetProperty("layout").GetProperty("xaxis").GetProperty("type").GetString());
        Assert.Equal("log", json.GetProperty("layout").GetProperty("yaxis").GetProperty("type").GetString());
        // The fitted line runs from the smallest to the largest x; its legend names the exponent.
        var lineX = data[1].GetProperty("x");
        Assert.Equal(16, lineX[0].GetDouble(), 6);
        Assert.Equal(4096, lineX[lineX.GetArrayLength() - 1].GetDouble(), 6);
        Assert.Contains("x^0.2", data[1].GetProperty("name").GetString());
    }

    [Fact]
    public void ComparisonBarsCarryTheMeanAndTheTIntervalOverSeeds()
    {
        var data = Json(AblationCharts.Comparison(Results(), "score")).GetProperty("data")[0];
        Assert.Equal(["TrainSamples=16", "TrainSamples=256", "TrainSamples=4096"], data.GetProperty("x").EnumerateArray().Select(e => e.GetString()));
        // n = 16: values 0.2 and 0.21; mean 0.205; s = 0.0070711; s/√2 = 0.005; t(0.975, 1) = 12.706 → ±0.06353.
        Assert.Equal(0.205, data.GetProperty("y")[0].GetDouble(), 9);
        Assert.Equal(0.06353, data.GetProperty("error_y").GetProperty("array")[0].GetDouble(), 4);
    }

    [Fact]
    public void ParametersTrainedPlotsOneSeriesPerMethod()
    {
        var data = Json(AblationCharts.ParametersTrained(Results(), "score")).GetProperty("data");
        Assert.Equal(1, data.GetArrayLength());
        Assert.Equal(1016, data[0].GetProperty("x")[0].GetDouble());
        Assert.Equal("clip", data[0].GetProperty("name").GetString());
    }
}
