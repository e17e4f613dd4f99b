using MathNet.Numerics.Distributions;

namespace Workbench.Statistics;

/// <summary>
/// The mean of a few repeated measurements (one per seed) with its confidence interval from Student's t distribution:
/// <c>mean ± t(1 - α/2, n - 1) · s / √n</c>, where <c>s</c> is the sample standard deviation. With a handful of seeds
/// the t quantile is much wider than the normal's 1.96 (4.30 for three seeds), which is the honest width.
/// </summary>
/// <param name="Mean">The sample mean.</param>
/// <param name="StandardDeviation">The sample standard deviation (divisor n - 1); NaN for one value.</param>
/// <param name="HalfWidth">Half the interval's width; NaN for one value (no spread to estimate).</param>
/// <param name="Count">How many values.</param>
/// <param name="Confidence">The interval's confidence level, e.g. 0.95.</param>
public sealed record MeanInterval(double Mean, double StandardDeviation, double HalfWidth, int Count, double Confidence)
{
    /// <summary>The interval's lower end.</summary>
    public double Low => Mean - HalfWidth;

    /// <summary>The interval's upper end.</summary>
    public double High => Mean + HalfWidth;

    /// <summary>The mean and its <paramref name="confidence"/> interval over <paramref name="values"/> (NaNs, e.g. failed trials, are left out).</summary>
    /// <exception cref="ArgumentException">No finite value, or a confidence outside (0, 1).</exception>
    public static MeanInterval Of(IEnumerable<double> values, double confidence = 0.95)
    {
        if (!(confidence > 0 && confidence < 1)) throw new ArgumentException($"The confidence level must lie in (0, 1); got {confidence}.", nameof(confidence));
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0) throw new ArgumentException("A mean needs at least one finite value.", nameof(values));
        double mean = finite.Average();
        if (finite.Length == 1) return new MeanInterval(mean, double.NaN, double.NaN, 1, confidence);
        double sd = MathNet.Numerics.Statistics.Statistics.StandardDeviation(finite);
        double t = StudentT.InvCDF(0, 1, finite.Length - 1, 1 - (1 - confidence) / 2);
        return new MeanInterval(mean, sd, t * sd / Math.Sqrt(finite.Length), finite.Length, confidence);
    }

    /// <inheritdoc />
    public override string ToString() =>
        Count > 1 ? $"{Mean:0.####} ± {HalfWidth:0.####} ({Confidence:P0} CI, n={Count})" : $"{Mean:0.####} (n=1)";
}
