using Workbench.Statistics;

namespace Workbench.Tests.Statistics;

/// <summary>The confidence interval and the power-law fit against values worked by hand (t quantiles from a printed table).</summary>
public sealed class StatisticsTests
{
    [Fact]
    public void MeanIntervalOverFiveSeedsIsMeanPlusMinusTTimesStandardError()
    {
        // 1..5: mean 3; s² = (4+1+0+1+4)/4 = 2.5, s = 1.58114; s/√5 = 0.70711; t(0.975, 4) = 2.776 (table) → ±1.9630.
        var interval = MeanInterval.Of([1, 2, 3, 4, 5]);
        Assert.Equal(3.0, interval.Mean, 12);
        Assert.Equal(1.58114, interval.StandardDeviation, tolerance: 1e-5);
        Assert.Equal(1.9630, interval.HalfWidth, tolerance: 5e-4);
        Assert.Equal(3 - 1.9630, interval.Low, tolerance: 5e-4);
        Assert.Equal(3 + 1.9630, interval.High, tolerance: 5e-4);
        Assert.Equal(5, interval.Count);
    }

    [Fact]
    public void ThreeSeedsGetTheWideTQuantileNotTheNormalOne()
    {
        // 0.80, 0.84, 0.88: mean 0.84, s = 0.04, s/√3 = 0.023094; t(0.975, 2) = 4.303 → ±0.09937 (1.96 would give ±0.0453).
        var interval = MeanInterval.Of([0.80, 0.84, 0.88]);
        Assert.Equal(0.84, interval.Mean, 12);
        Assert.Equal(0.09937, interval.HalfWidth, tolerance: 2e-5);
        // 90%: t(0.95, 2) = 2.920 → ±0.06744.
        Assert.Equal(0.06744, MeanInterval.Of([0.80, 0.84, 0.88], confidence: 0.90).HalfWidth, tolerance: 2e-5);
    }

    [Fact]
    public void FailedTrialsAreLeftOutAndOneValueHasNoInterval()
    {
        var interval = MeanInterval.Of([0.5, double.NaN]);
        Assert.Equal(0.5, interval.Mean);
        Assert.Equal(1, interval.Count);
        Assert.True(double.IsNaN(interval.HalfWidth));
        Assert.Throws<ArgumentException>(() => MeanInterval.Of([double.NaN]));
    }

    [Fact]
    public void PowerLawThroughExactPointsRecoversCoefficientAndExponent()
    {
        // y = 2 · x^0.5 at x = 1, 4, 16: y = 2, 4, 8.
        var fit = PowerLawFit.Of([1, 4, 16], [2, 4, 8]);
        Assert.Equal(2.0, fit.Coefficient, 10);
        Assert.Equal(0.5, fit.Exponent, 10);
        Assert.Equal(1.0, fit.RSquared, 10);
        Assert.Equal(6.0, fit.At(9), 10);
    }

    [Fact]
    public void PowerLawThroughScatteredPointsIsTheLeastSquaresLineOnLogLogAxes()
    {
        // log10 x = 0, 1, 2; log10 y = 0, 1, log10 50 = 1.69897. Slope = Σ dx·dy / Σ dx² = (0.899657 + 0.799313) / 2
        // = 0.849485; intercept = mean(log y) - slope · mean(log x) = 0.899657 - 0.849485 = 0.050172 → a = 10^0.050172.
        var fit = PowerLawFit.Of([1, 10, 100], [1, 10, 50]);
        Assert.Equal(0.849485, fit.Exponent, tolerance: 1e-6);
        Assert.Equal(1.12246, fit.Coefficient, tolerance: 1e-5);
        // Residuals (log10): -0.050172, 0.100343, -0.050172 → SSres 0.015103; SStot 1.458353 → R² 0.98964.
        Assert.Equal(0.98964, fit.RSquared, tolerance: 1e-5);
    }

    [Fact]
    public void PowerLawNeedsTwoDistinctPositiveX()
    {
        var error = Assert.Throws<ArgumentException>(() => PowerLawFit.Of([0, 10, 10], [1, 2, 3]));
        Assert.Contains("two or more distinct positive x", error.Message);
    }
}
