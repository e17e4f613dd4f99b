using System.Text.Json.Nodes;
using Workbench.Data;

namespace Workbench.Plots;

/// <summary>One panel of <see cref="TokenGrids.Beside"/>: a value per image token, laid out on the token grid.</summary>
/// <param name="Title">The panel's title.</param>
/// <param name="Values">One value per token, row by row (the order <see cref="Models.Clip.ImageEncoder.Tokens"/> gives).</param>
/// <param name="Labels">Optional text per token (e.g. the nearest word); null shows the values.</param>
public sealed record TokenGridPanel(string Title, IReadOnlyList<double> Values, IReadOnlyList<string>? Labels = null);

/// <summary>
/// Pictures of an image's tokens: a vision tower turns an image into a grid of tokens (8x8 for a 32-pixel scene
/// through two halving blocks), and a value per token (its norm, its similarity to a word) drawn on that grid shows
/// where in the picture each token looks.
/// </summary>
public static class TokenGrids
{
    /// <summary>Values (N) as the rows of a square grid (√N x √N); throws when N is not a square.</summary>
    public static double[][] ToGrid(IReadOnlyList<double> values)
    {
        int side = (int)Math.Round(Math.Sqrt(values.Count));
        if (side == 0 || side * side != values.Count)
            throw new ArgumentException($"TokenGrids: {values.Count} tokens do not make a square grid.");
        return Enumerable.Range(0, side).Select(r => Enumerable.Range(0, side).Select(c => values[r * side + c]).ToArray()).ToArray();
    }

    /// <summary>The image (when given) and then each panel's grid, side by side, rows top to bottom.</summary>
    public static Figure Beside(RgbImage? image, string title, params IReadOnlyList<TokenGridPanel> panels)
    {
        int count = panels.Count + (image is null ? 0 : 1);
        if (count == 0) throw new ArgumentException("TokenGrids: nothing to draw.");
        const double gap = 0.04;
        double width = (1 - gap * (count - 1)) / count;
        var figure = new Figure().Title(title).Size(Math.Max(420, 300 * count + 40), 360).Layout("margin.t", 70);
        var titles = new JsonArray();
        int panel = 0;

        void Place(Trace trace, string name)
        {
            string suffix = panel == 0 ? "" : (panel + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            double left = panel * (width + gap);
            figure.Add(trace.Set("xaxis", "x" + suffix).Set("yaxis", "y" + suffix));
            figure.Layout($"xaxis{suffix}.domain", new[] { left, left + width }).Layout($"xaxis{suffix}.showticklabels", false)
                .Layout($"yaxis{suffix}.showticklabels", false).Layout($"yaxis{suffix}.autorange", "reversed")
                .Layout($"yaxis{suffix}.scaleanchor", "x" + suffix).Layout($"xaxis{suffix}.showgrid", false).Layout($"yaxis{suffix}.showgrid", false);
            titles.Add(new JsonObject
            {
                ["text"] = name, ["showarrow"] = false, ["xref"] = "paper", ["yref"] = "paper",
                ["x"] = left + width / 2, ["y"] = 1.02, ["xanchor"] = "center", ["yanchor"] = "bottom",
            });
            panel++;
        }

        if (image is not null) Place(ImageTrace(image), $"the image ({image.Width}x{image.Height})");
        foreach (var p in panels)
        {
            var grid = ToGrid(p.Values);
            var trace = Plot.Heatmap(grid, colorscale: "Viridis").Set("showscale", false);
            if (p.Labels is { } labels)
            {
                if (labels.Count != p.Values.Count) throw new ArgumentException($"TokenGrids: panel '{p.Title}' has {labels.Count} labels for {p.Values.Count} tokens.");
                trace.Set("text", ToLabelGrid(labels, grid.Length)).Set("texttemplate", "%{text}").Set("hovertemplate", "%{text}: %{z:.3f}<extra></extra>");
            }
            else trace.Set("texttemplate", "%{z:.1f}").Set("hovertemplate", "row %{y}, column %{x}: %{z:.3f}<extra></extra>");
            Place(trace.Set("textfont.size", 9), $"{p.Title} ({grid.Length}x{grid.Length})");
        }
        return figure.Layout("annotations", titles);
    }

    static string[][] ToLabelGrid(IReadOnlyList<string> labels, int side) =>
        Enumerable.Range(0, side).Select(r => Enumerable.Range(0, side).Select(c => labels[r * side + c]).ToArray()).ToArray();

    /// <summary>An RGB image as a plotly.js image trace (z[row][column] = [r, g, b]).</summary>
    static Trace ImageTrace(RgbImage image) => new Trace("image").Set("z",
        Enumerable.Range(0, image.Height).Select(y => Enumerable.Range(0, image.Width)
            .Select(x => { var p = image[x, y]; return new[] { (int)p.R, p.G, p.B }; }).ToArray()).ToArray());
}
