namespace Workbench.Plots;

/// <summary>Factory methods for the traces the workbench draws. Combine them with <c>new Figure(...)</c>.</summary>
public static class Plot
{
    /// <summary>A line through (x, y).</summary>
    public static Trace Line<TX>(IEnumerable<TX> x, IEnumerable<double> y, string? name = null) =>
        Xy("lines", x, y, name);

    /// <summary>Markers at (x, y), optionally coloured by group and labelled on hover.</summary>
    public static Trace Points<TX>(IEnumerable<TX> x, IEnumerable<double> y, string? name = null, IEnumerable<string>? hover = null)
    {
        var trace = Xy("markers", x, y, name);
        if (hover is not null) trace.Set("text", hover.ToArray()).Set("hoverinfo", "text");
        return trace;
    }

    /// <summary>Bars, one per category.</summary>
    public static Trace Bar(IEnumerable<string> categories, IEnumerable<double> values, string? name = null) =>
        Named(new Trace("bar").Set("x", categories.ToArray()).Set("y", values.ToArray()), name);

    /// <summary>A histogram of values.</summary>
    public static Trace Histogram(IEnumerable<double> values, string? name = null, int? bins = null)
    {
        var trace = Named(new Trace("histogram").Set("x", values.ToArray()), name);
        if (bins is { } b) trace.Set("nbinsx", b);
        return trace;
    }

    /// <summary>A heatmap of z[row][column] with labelled rows (y) and columns (x); rows run top to bottom.</summary>
    public static Trace Heatmap(double[][] z, IEnumerable<string>? columns = null, IEnumerable<string>? rows = null, string colorscale = "Viridis", bool showValues = false)
    {
        var trace = new Trace("heatmap").Set("z", z).Set("colorscale", colorscale);
        if (columns is not null) trace.Set("x", columns.ToArray());
        if (rows is not null) trace.Set("y", rows.ToArray());
        if (showValues) trace.Set("texttemplate", "%{z:.2f}");
        return trace;
    }

    static Trace Xy<TX>(string mode, IEnumerable<TX> x, IEnumerable<double> y, string? name) =>
        Named(new Trace("scatter").Set("mode", mode).Set("x", x.Cast<object?>().ToArray()).Set("y", y.ToArray()), name);

    static Trace Named(Trace trace, string? name) => name is null ? trace : trace.Set("name", name);
}
