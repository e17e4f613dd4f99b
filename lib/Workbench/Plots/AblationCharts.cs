using Workbench.Statistics;
using Workbench.Sweeps;

namespace Workbench.Plots;

/// <summary>
/// The pictures of an ablation sweep, from its <see cref="SweepResults"/>: a metric against compute or data with the
/// fitted power law on log-log axes, architectures side by side with 95% confidence intervals over seeds, and
/// parameters trained against the metric.
/// </summary>
public static class AblationCharts
{
    /// <summary>
    /// <paramref name="metric"/> against <paramref name="x"/> (steps, samples_seen, or a data-size axis such as
    /// TrainSamples) for every successful trial, with the power law fitted to them drawn as a line; both axes
    /// logarithmic, the exponent in the legend.
    /// </summary>
    public static Figure ScalingLaw(SweepResults results, string x, string metric, string? title = null)
    {
        var rows = results.Succeeded;
        double[] xs = results.Numbers(x, rows), ys = results.Numbers(metric, rows);
        var fit = PowerLawFit.Of(xs, ys);
        var positive = xs.Where(v => v > 0 && double.IsFinite(v)).ToArray();
        double low = positive.Min(), high = positive.Max();
        var line = Enumerable.Range(0, 50).Select(i => low * Math.Pow(high / low, i / 49.0)).ToArray();
        return new Figure(
                Plot.Points(xs, ys, "trials", rows.Select(r => r.Trial.Name)).Set("marker.size", 8),
                Plot.Line(line, line.Select(fit.At), $"fit: {fit.Coefficient:0.###}·x^{fit.Exponent:0.###} (R² {fit.RSquared:0.##})"))
            .Title(title ?? $"{metric} against {x}").Axes(x, metric).Size(720, 420)
            .Layout("xaxis.type", "log").Layout("yaxis.type", "log");
    }

    /// <summary>One bar per combination of axis values: the mean of <paramref name="metric"/> over seeds, with its 95% confidence interval as error bars.</summary>
    public static Figure Comparison(SweepResults results, string metric, string? title = null)
    {
        var means = results.MeanOverSeeds(metric);
        var bar = Plot.Bar(means.Select(m => m.Label), means.Select(m => m.Interval.Mean), metric)
            .Set("error_y.type", "data")
            .Set("error_y.array", means.Select(m => double.IsNaN(m.Interval.HalfWidth) ? 0 : m.Interval.HalfWidth).ToArray())
            .Set("error_y.visible", true)
            .Set("hovertext", means.Select(m => m.Interval.ToString()).ToArray());
        return new Figure(bar).Title(title ?? $"{metric}: mean over seeds, 95% confidence interval").Axes(null, metric)
            .Size(Math.Max(480, 120 + 110 * means.Count), 420).Layout("xaxis.type", "category");
    }

    /// <summary><paramref name="metric"/> against the parameters each trial trained (log x), one colour per method.</summary>
    public static Figure ParametersTrained(SweepResults results, string metric, string? title = null)
    {
        var figure = new Figure().Title(title ?? $"{metric} against parameters trained").Axes("parameters trained", metric).Size(720, 420)
            .Layout("xaxis.type", "log");
        foreach (var group in results.Succeeded.GroupBy(r => r.Trial.Method))
            figure.Add(Plot.Points(results.Numbers("parameters_trained", group), results.Numbers(metric, group), group.Key,
                group.Select(r => SweepResults.LabelOf(r.Trial))).Set("marker.size", 9));
        return figure;
    }
}
