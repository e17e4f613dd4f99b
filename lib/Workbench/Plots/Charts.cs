using MathNet.Numerics.LinearAlgebra;

namespace Workbench.Plots;

/// <summary>One named series of (step, value) points, e.g. one run's loss.</summary>
/// <param name="Name">Legend entry (the run).</param>
/// <param name="Steps">x values.</param>
/// <param name="Values">y values.</param>
public sealed record Series(string Name, IReadOnlyList<double> Steps, IReadOnlyList<double> Values);

/// <summary>The workbench's standard pictures, as <see cref="Figure"/>s ready to display.</summary>
public static class Charts
{
    /// <summary>Curves of several runs overlaid (loss, temperature, learning rate...).</summary>
    public static Figure Curves(string title, string yTitle, IEnumerable<Series> series, bool logY = false)
    {
        var figure = new Figure().Title(title).Axes("step", yTitle).Size(720, 380);
        foreach (var s in series) figure.Add(Plot.Line(s.Steps, s.Values, s.Name));
        if (logY) figure.Layout("yaxis.type", "log");
        return figure;
    }

    /// <summary>A bar chart of counts (a distribution), one bar per key in the dictionary's order.</summary>
    public static Figure Distribution<TKey>(string title, IReadOnlyDictionary<TKey, int> counts, string? xTitle = null) where TKey : notnull =>
        new Figure(Plot.Bar(counts.Keys.Select(k => k.ToString() ?? ""), counts.Values.Select(v => (double)v)))
            .Title(title).Axes(xTitle, "count").Size(520, 320).Layout("xaxis.type", "category");

    /// <summary>An image-by-text similarity heatmap, rows labelled with image names and columns with captions.</summary>
    public static Figure SimilarityHeatmap(double[][] similarity, IReadOnlyList<string> imageLabels, IReadOnlyList<string> captions, string title = "image-text cosine similarity")
    {
        int height = Math.Max(300, 40 + 28 * imageLabels.Count), width = Math.Max(420, 160 + 36 * captions.Count);
        return new Figure(Plot.Heatmap(similarity, captions, imageLabels, "RdBu", showValues: similarity.Length <= 12).Set("reversescale", true))
            .Title(title).Size(width, height)
            .Layout("yaxis.autorange", "reversed")
            .Layout("xaxis.tickangle", -35)
            .Layout("margin.b", 160);
    }

    /// <summary>A confusion matrix: rows are true classes, columns predicted ones.</summary>
    public static Figure ConfusionMatrix(int[][] counts, IReadOnlyList<string> classNames, string title = "confusion matrix")
    {
        var z = counts.Select(row => row.Select(c => (double)c).ToArray()).ToArray();
        return new Figure(Plot.Heatmap(z, classNames, classNames, "Blues", showValues: false).Set("texttemplate", "%{z}"))
            .Title(title).Axes("predicted", "true").Size(560, 520).Layout("yaxis.autorange", "reversed");
    }

    /// <summary>
    /// Embeddings projected onto their first two principal components (PCA by SVD of the centred matrix, MathNet),
    /// one colour per group (class).
    /// </summary>
    public static Figure EmbeddingScatter(float[] embeddings, int rows, int columns, IReadOnlyList<string> groups, string title = "embeddings (PCA)")
    {
        var projected = Pca(embeddings, rows, columns, 2);
        var figure = new Figure().Title(title).Axes("PC 1", "PC 2").Size(640, 520);
        foreach (var group in groups.Distinct().OrderBy(g => g, StringComparer.Ordinal))
        {
            var members = Enumerable.Range(0, rows).Where(i => groups[i] == group).ToList();
            figure.Add(Plot.Points(members.Select(i => projected[i, 0]), members.Select(i => projected[i, 1]), group)
                .Set("marker.size", 5).Set("marker.opacity", 0.7));
        }
        return figure;
    }

    /// <summary>Rows projected onto the top <paramref name="components"/> principal directions.</summary>
    public static double[,] Pca(float[] data, int rows, int columns, int components)
    {
        var m = Matrix<double>.Build.Dense(rows, columns, (i, j) => data[i * columns + j]);
        var centred = m - Matrix<double>.Build.Dense(rows, columns, (_, j) => m.Column(j).Average());
        var svd = centred.Svd(computeVectors: true);
        var projected = centred * svd.VT.SubMatrix(0, components, 0, columns).Transpose();
        return projected.ToArray();
    }
}
