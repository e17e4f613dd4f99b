using System.Text.Json.Nodes;

namespace Workbench.Tests;

/// <summary>Writes small Polyglot .ipynb files for runner tests.</summary>
public sealed class NotebookBuilder
{
    readonly JsonArray cells = [];

    public NotebookBuilder Markdown(string text)
    {
        cells.Add(new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = text });
        return this;
    }

    public NotebookBuilder Code(string code, params string[] tags)
    {
        var metadata = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } };
        if (tags.Length > 0) metadata["tags"] = new JsonArray(tags.Select(t => (JsonNode)t!).ToArray());
        cells.Add(new JsonObject
        {
            ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = metadata,
            ["outputs"] = new JsonArray(), ["source"] = code,
        });
        return this;
    }

    public string Save(string path)
    {
        var notebook = new JsonObject
        {
            ["cells"] = cells.DeepClone(),
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = new JsonObject { ["defaultKernelName"] = "csharp" } },
            },
            ["nbformat"] = 4, ["nbformat_minor"] = 2,
        };
        File.WriteAllText(path, notebook.ToJsonString());
        return path;
    }
}
