namespace Workbench.Plots;

/// <summary>One set of bars of an <see cref="AccuracyChart"/>: a model, a control or a baseline.</summary>
/// <param name="Name">Legend entry.</param>
/// <param name="Accuracy">One value in [0, 1] per category, in the chart's order; NaN leaves a gap.</param>
public sealed record AccuracyBars(string Name, IReadOnlyList<double> Accuracy);

/// <summary>
/// Answer accuracy per question kind (colour, shape, count...) as grouped bars, a model beside its controls and
/// baselines, read from the flat metrics a run writes (<c>{prefix}</c> overall, <c>{prefix}_{kind}</c> per kind).
/// </summary>
public static class AccuracyChart
{
    /// <summary>The category that stands for the overall figure, <c>{prefix}</c> itself.</summary>
    public const string All = "all";

    /// <summary>
    /// Bars named <paramref name="name"/> from <paramref name="metrics"/>: for each category, <c>{prefix}_{category}</c>,
    /// or <c>{prefix}</c> for <see cref="All"/>; NaN (a gap) where the run has no such figure.
    /// </summary>
    public static AccuracyBars Read(string name, IReadOnlyDictionary<string, double> metrics, string prefix, IReadOnlyList<string> categories) =>
        new(name, categories.Select(c => metrics.TryGetValue(c == All ? prefix : $"{prefix}_{c}", out var v) ? v : double.NaN).ToList());

    /// <summary>Grouped bars, one group per category and one colour per <see cref="AccuracyBars"/>, on a 0-100% axis.</summary>
    public static Figure ByKind(string title, IReadOnlyList<string> categories, params IEnumerable<AccuracyBars> bars)
    {
        var figure = new Figure().Title(title).Axes("question kind", "exact-match accuracy").Size(760, 380)
            .Layout("barmode", "group").Layout("xaxis.type", "category")
            .Layout("yaxis.range", new[] { 0.0, 1.0 }).Layout("yaxis.tickformat", ".0%");
        foreach (var b in bars)
        {
            if (b.Accuracy.Count != categories.Count)
                throw new ArgumentException($"AccuracyChart: '{b.Name}' has {b.Accuracy.Count} values for {categories.Count} categories.");
            figure.Add(Plot.Bar(categories, b.Accuracy, b.Name).Set("hovertemplate", "%{x}: %{y:.1%}"));
        }
        return figure;
    }
}
