using Microsoft.DotNet.Interactive.Documents;
using JupyterNotebook = Microsoft.DotNet.Interactive.Documents.Jupyter.Notebook;
using Workbench.IO;

namespace Workbench.Notebooks;

/// <summary>Reads and writes Polyglot notebooks: <c>.ipynb</c> (Jupyter JSON) and <c>.dib</c> (plain text).</summary>
public static class NotebookFile
{
    /// <summary>The kernels a workbench notebook may use.</summary>
    public static KernelInfoCollection Kernels { get; } = new()
    {
        new KernelInfo("csharp", "C#", ["c#", "C#", "cs"]),
        new KernelInfo("markdown", "Markdown", ["md"]),
    };

    /// <summary>File extensions the runner accepts.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".ipynb", ".dib"];

    /// <summary>Loads a notebook; a malformed file fails naming the file.</summary>
    public static InteractiveDocument Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Notebook not found: {path}", path);
        string text = File.ReadAllText(path);
        try
        {
            return Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".ipynb" => JupyterNotebook.Parse(text, Kernels),
                ".dib" => CodeSubmission.Parse(text, Kernels),
                var other => throw new InvalidDataException($"{path}: unsupported notebook type '{other}' (use .ipynb or .dib)."),
            };
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not a valid notebook: {e.Message}", e);
        }
    }

    /// <summary>Writes a notebook as <c>.ipynb</c> with its outputs, atomically (a temporary file renamed into place).</summary>
    public static void SaveIpynb(InteractiveDocument document, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string json = JupyterNotebook.ToJupyterJson(document, "csharp");
        AtomicFile.WriteAllText(path, json);
    }

    /// <summary>Whether a cell is a markdown cell (not executed).</summary>
    public static bool IsMarkdown(InteractiveDocumentElement cell) =>
        string.Equals(cell.KernelName, "markdown", StringComparison.OrdinalIgnoreCase);

    /// <summary>The cell's Jupyter tags (papermill's convention), if any.</summary>
    public static IReadOnlyList<string> Tags(InteractiveDocumentElement cell)
    {
        if (cell.Metadata is null || !cell.Metadata.TryGetValue("tags", out var raw) || raw is null) return [];
        return raw switch
        {
            IEnumerable<object> items => items.Select(i => i?.ToString() ?? "").ToList(),
            System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Array } json =>
                json.EnumerateArray().Select(e => e.ToString()).ToList(),
            _ => [],
        };
    }
}
