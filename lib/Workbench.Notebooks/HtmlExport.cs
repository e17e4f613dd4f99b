using System.Net;
using System.Text;
using Markdig;
using Microsoft.DotNet.Interactive.Documents;
using Workbench.Plots;

namespace Workbench.Notebooks;

/// <summary>
/// Writes an executed notebook as one self-contained HTML page: markdown rendered, code shown, outputs inlined,
/// and plotly.js embedded so charts render with no network.
/// </summary>
public static class HtmlExport
{
    static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    /// <summary>Marks the script that carries plotly.js, so it is embedded once per page.</summary>
    const string LibraryMarker = "window.__workbenchCharts = [];";

    /// <summary>Renders the page.</summary>
    public static string Render(InteractiveDocument notebook, string title)
    {
        var body = new StringBuilder();
        int number = 0;
        foreach (var cell in notebook.Elements)
        {
            number++;
            if (NotebookFile.IsMarkdown(cell))
            {
                body.Append("<section class=\"cell markdown\">").Append(Markdig.Markdown.ToHtml(cell.Contents, Markdown)).Append("</section>\n");
                continue;
            }
            body.Append($"<section class=\"cell code\"><div class=\"label\">[{number}]</div><pre class=\"source\"><code class=\"language-csharp\">")
                .Append(WebUtility.HtmlEncode(cell.Contents)).Append("</code></pre>\n");
            foreach (var output in cell.Outputs) body.Append("<div class=\"output\">").Append(Output(output)).Append("</div>\n");
            body.Append("</section>\n");
        }
        string content = body.ToString();
        bool needsLibrary = content.Contains("workbench-chart", StringComparison.Ordinal) && !content.Contains(LibraryMarker, StringComparison.Ordinal);
        return $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{WebUtility.HtmlEncode(title)}}</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
            .cell { margin: 1rem 0; }
            .label { color: #888; font-size: 0.8rem; }
            pre.source { background: #f6f8fa; padding: 0.6rem; border-radius: 4px; overflow-x: auto; }
            pre.stdout, pre.plain { background: #fff; border-left: 3px solid #ddd; padding: 0.4rem 0.6rem; overflow-x: auto; }
            pre.error, pre.stderr { background: #fff0f0; border-left: 3px solid #d33; padding: 0.4rem 0.6rem; overflow-x: auto; }
            table { border-collapse: collapse; } th, td { padding: 2px 8px; border-bottom: 1px solid #eee; }
            </style>
            {{(needsLibrary ? ChartHtml.LibraryTag() : "")}}
            </head><body>
            {{content}}
            </body></html>
            """;
    }

    /// <summary>Writes the page next to the executed notebook, atomically.</summary>
    public static void Save(InteractiveDocument notebook, string title, string path) =>
        Workbench.IO.AtomicFile.WriteAllText(path, Render(notebook, title));

    static string Output(InteractiveDocumentOutputElement output) => output switch
    {
        DisplayElement d => Display(d.Data),
        ReturnValueElement r => Display(r.Data),
        TextElement t => $"<pre class=\"{(t.Name == "stderr" ? "stderr" : "stdout")}\">{WebUtility.HtmlEncode(t.Text)}</pre>",
        ErrorElement e => $"<pre class=\"error\">{WebUtility.HtmlEncode(e.ErrorName + ": " + e.ErrorValue)}</pre>",
        _ => "",
    };

    static string Display(IDictionary<string, object> data)
    {
        string? Get(string mime) => data.TryGetValue(mime, out var v) ? Flatten(v) : null;
        if (Get("text/html") is { } html) return html;
        if (Get("image/svg+xml") is { } svg) return svg;
        if (Get("image/png") is { } png) return $"<img src=\"data:image/png;base64,{png.Trim()}\"/>";
        if (Get("text/markdown") is { } md) return Markdig.Markdown.ToHtml(md, Markdown);
        if (Get("text/plain") is { } text) return $"<pre class=\"plain\">{WebUtility.HtmlEncode(text)}</pre>";
        return "";
    }

    /// <summary>Jupyter stores multi-line mime values as arrays of lines.</summary>
    static string Flatten(object value) => value switch
    {
        string s => s,
        IEnumerable<object> lines => string.Concat(lines.Select(l => l?.ToString())),
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Array } json => string.Concat(json.EnumerateArray().Select(e => e.GetString())),
        System.Text.Json.JsonElement json => json.ToString(),
        _ => value.ToString() ?? "",
    };
}
