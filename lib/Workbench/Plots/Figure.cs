using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workbench.Plots;

/// <summary>
/// One plotly.js trace: a line, bars, a heatmap... Built by the factory methods of <see cref="Plot"/>; any other
/// plotly.js attribute can be set with <see cref="Set"/> (dotted paths such as <c>"marker.size"</c>).
/// See https://plotly.com/javascript/reference/ for the attributes.
/// </summary>
public sealed class Trace
{
    internal JsonObject Json { get; }

    internal Trace(string type) => Json = new JsonObject { ["type"] = type };

    /// <summary>Sets a plotly.js attribute; dots in the path create nested objects.</summary>
    public Trace Set(string path, object? value)
    {
        JsonPaths.Set(Json, path, value);
        return this;
    }
}

/// <summary>
/// A chart: traces plus a layout, drawn by plotly.js. Notebooks display it inline; <see cref="ChartHtml"/> turns it
/// into HTML that renders offline.
/// </summary>
public sealed class Figure
{
    readonly List<Trace> traces = [];
    readonly JsonObject layout = new()
    {
        ["margin"] = new JsonObject { ["l"] = 60, ["r"] = 20, ["t"] = 50, ["b"] = 50 },
        ["template"] = "plotly_white",
    };

    /// <summary>A figure holding the given traces.</summary>
    public Figure(params IEnumerable<Trace> traces) => this.traces.AddRange(traces);

    /// <summary>The traces, in drawing order.</summary>
    public IReadOnlyList<Trace> Traces => traces;

    /// <summary>Adds a trace.</summary>
    public Figure Add(Trace trace)
    {
        traces.Add(trace);
        return this;
    }

    /// <summary>Sets a plotly.js layout attribute (dotted paths such as <c>"xaxis.type"</c>).</summary>
    public Figure Layout(string path, object? value)
    {
        JsonPaths.Set(layout, path, value);
        return this;
    }

    /// <summary>Sets the title.</summary>
    public Figure Title(string title) => Layout("title.text", title);

    /// <summary>Names the axes.</summary>
    public Figure Axes(string? x = null, string? y = null)
    {
        if (x is not null) Layout("xaxis.title.text", x);
        if (y is not null) Layout("yaxis.title.text", y);
        return this;
    }

    /// <summary>Sets the size in pixels.</summary>
    public Figure Size(int width, int height) => Layout("width", width).Layout("height", height);

    /// <summary>The figure as plotly.js JSON: <c>{"data": [...], "layout": {...}}</c>.</summary>
    public string ToJson() => new JsonObject
    {
        ["data"] = new JsonArray(traces.Select(t => (JsonNode)t.Json.DeepClone()).ToArray()),
        ["layout"] = layout.DeepClone(),
    }.ToJsonString(JsonPaths.Options);

    /// <summary>The figure as a self-contained HTML page (plotly.js embedded).</summary>
    public string ToHtmlPage(string title = "chart") => ChartHtml.Page(this, title);

    /// <inheritdoc />
    public override string ToString() =>
        $"Figure({string.Join(", ", traces.Select(t => (string?)t.Json["type"]))}){(layout["title"]?["text"] is { } title ? ": " + title : "")}";
}

static class JsonPaths
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    internal static void Set(JsonObject root, string path, object? value)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child) node[part] = child = new JsonObject();
            node = child;
        }
        node[parts[^1]] = ToNode(value);
    }

    /// <summary>Converts values to JSON; NaN and infinities become null (gaps), as plotly.js expects.</summary>
    internal static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode n => n,
        double d => double.IsFinite(d) ? JsonValue.Create(d) : null,
        float f => float.IsFinite(f) ? JsonValue.Create(f) : null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        System.Collections.IEnumerable items => new JsonArray(items.Cast<object?>().Select(ToNode).ToArray()),
        _ => JsonSerializer.SerializeToNode(value, Options),
    };
}
