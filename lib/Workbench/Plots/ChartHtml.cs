using System.Net;

namespace Workbench.Plots;

/// <summary>
/// Turns figures into HTML that renders with no network: plotly.js is embedded in the Workbench assembly
/// (taken at build time from the copy the Plotly.NET package ships), never fetched from a CDN.
/// </summary>
public static class ChartHtml
{
    const string ResourceName = "Workbench.plotly.min.js";
    static readonly Lazy<string> Script = new(LoadPlotlyJs);

    /// <summary>The whole plotly.js library (about 3.5 MB).</summary>
    public static string PlotlyJs => Script.Value;

    /// <summary>
    /// A <c>&lt;script&gt;</c> that defines <c>window.Plotly</c> once per page and then draws any charts that were
    /// waiting for it. Notebooks emit it once, from their first cell.
    /// </summary>
    public static string LibraryTag() =>
        "<script type=\"text/javascript\">if (!window.Plotly) {\n" + PlotlyJs.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase) +
        "\n}\n(window.__workbenchCharts || []).forEach(function (draw) { draw(); }); window.__workbenchCharts = [];</script>";

    /// <summary>
    /// A chart as a <c>&lt;div&gt;</c> plus the script that draws it with <c>Plotly.newPlot</c>. When plotly.js is not
    /// on the page yet, the chart waits for <see cref="LibraryTag"/> (or says to run the notebook's first cell).
    /// </summary>
    public static string Fragment(Figure chart)
    {
        string id = "chart-" + Guid.NewGuid().ToString("N")[..12];
        string figure = chart.ToJson();
        const string config = "{\"responsive\": true, \"displaylogo\": false}";
        return $$"""
            <div id="{{id}}" class="workbench-chart" style="width:100%;"></div>
            <script type="text/javascript">
            (function () {
              var figure = {{figure}};
              var draw = function () { Plotly.newPlot('{{id}}', figure.data, figure.layout, {{config}}); };
              if (window.Plotly) { draw(); }
              else {
                (window.__workbenchCharts = window.__workbenchCharts || []).push(draw);
                document.getElementById('{{id}}').innerText = 'Chart waiting for plotly.js: run the notebook\'s first cell (Workbench.Notebook.Setup()).';
              }
            })();
            </script>
            """;
    }

    /// <summary>A standalone HTML page showing one chart, with plotly.js embedded.</summary>
    public static string Page(Figure chart, string title = "chart") =>
        $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title>{LibraryTag()}</head>" +
        $"<body>{Fragment(chart)}</body></html>";

    static string LoadPlotlyJs()
    {
        using var stream = typeof(ChartHtml).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("plotly.js is not embedded in this build of the Workbench library.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
