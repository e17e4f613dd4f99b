using MathNet.Numerics;

namespace Workbench.Statistics;

/// <summary>
/// A power law <c>y = a · x^b</c> fitted by least squares on log-log axes (<c>ln y = ln a + b ln x</c>), the way
/// scaling laws are read (Kaplan et al., 2020): the exponent <see cref="Exponent"/> says how fast the metric moves as
/// compute or data grows; a straight line on log-log axes is the fit.
/// </summary>
/// <param name="Coefficient">a: the metric at x = 1.</param>
/// <param name="Exponent">b: the slope on log-log axes.</param>
/// <param name="RSquared">R² of the straight-line fit in log space (1: the points lie on the line).</param>
/// <param name="Count">How many points were fitted.</param>
public sealed record PowerLawFit(double Coefficient, double Exponent, double RSquared, int Count)
{
    /// <summary>The fitted metric at <paramref name="x"/>.</summary>
    public double At(double x) => Coefficient * Math.Pow(x, Exponent);

    /// <summary>
    /// Fits <c>y = a · x^b</c> to the points with positive x and y (others have no logarithm and are left out).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two usable points, or fewer than two distinct x values.</exception>
    public static PowerLawFit Of(IEnumerable<double> x, IEnumerable<double> y)
    {
        var points = x.Zip(y).Where(p => p.First > 0 && p.Second > 0 && double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray();
        if (points.Select(p => p.First).Distinct().Count() < 2)
            throw new ArgumentException($"A power-law fit needs points at two or more distinct positive x values; got {points.Length} usable points.");
        var logX = points.Select(p => Math.Log(p.First)).ToArray();
        var logY = points.Select(p => Math.Log(p.Second)).ToArray();
        var (intercept, slope) = Fit.Line(logX, logY);
        double r2 = GoodnessOfFit.RSquared(logX.Select(v => intercept + slope * v), logY);
        return new PowerLawFit(Math.Exp(intercept), slope, r2, points.Length);
    }

    /// <inheritdoc />
    public override string ToString() => $"y = {Coefficient:0.####} · x^{Exponent:0.####} (R² {RSquared:0.###}, {Count} points)";
}
