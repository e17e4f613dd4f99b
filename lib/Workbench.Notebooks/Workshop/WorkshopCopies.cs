using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Workbench.IO;
using Workbench.Teaching;

namespace Workbench.Notebooks.Workshop;

/// <summary>One notebook's workshop copies.</summary>
/// <param name="Source">The notebook they were made from.</param>
/// <param name="Student">The attendee's copy: stubs in place, solutions removed, no outputs.</param>
/// <param name="Facilitator">The facilitator's copy: solutions kept, no outputs.</param>
/// <param name="Exercises">The exercises its check cells name, in order.</param>
public sealed record WorkshopCopy(string Source, string Student, string Facilitator, IReadOnlyList<string> Exercises);

/// <summary>
/// Student and facilitator copies of notebooks with exercises. A notebook marks an exercise with three code cells, by
/// their Jupyter tags: <c>exercise</c> (a stub that compiles and throws <see cref="NotImplementedException"/>),
/// <c>solution</c> right after it, and a check cell calling <c>Exercise.Check("id", ...)</c>. The student copy drops the
/// solutions; both copies lose their outputs. Library references (<c>#r "../artifacts/workbench/Workbench.dll"</c>)
/// are rewritten to point at the same files from where the copy is written.
/// </summary>
public static partial class WorkshopCopies
{
    /// <summary>The tag of a stub cell.</summary>
    public const string ExerciseTag = "exercise";
    /// <summary>The tag of a solution cell.</summary>
    public const string SolutionTag = "solution";
    /// <summary>The folder under the output folder that holds the attendees' copies.</summary>
    public const string StudentFolder = "student";
    /// <summary>The folder under the output folder that holds the facilitator's copies.</summary>
    public const string FacilitatorFolder = "facilitator";

    [GeneratedRegex("""Exercise\.Check\(\s*"(?<id>[^"]+)"\s*,""")]
    private static partial Regex CheckCall();

    [GeneratedRegex("""^(?<directive>#r\s+")(?<path>(?!nuget:)[^"]+)(?<end>")""", RegexOptions.Multiline)]
    private static partial Regex Reference();

    /// <summary>
    /// Writes <c>student/</c> and <c>facilitator/</c> copies of each notebook under <paramref name="outDir"/>. Fails
    /// naming the file for a missing or malformed notebook, a <c>.dib</c> (it has no cell tags), a solution without an
    /// exercise before it, an exercise without a solution after it, or a check of an unknown exercise.
    /// </summary>
    public static IReadOnlyList<WorkshopCopy> Make(IReadOnlyList<string> notebooks, string outDir)
    {
        var loaded = notebooks.Select(n => (Path: Path.GetFullPath(n), Notebook: Load(n))).ToList();
        string student = Path.Combine(outDir, StudentFolder), facilitator = Path.Combine(outDir, FacilitatorFolder);
        return loaded.Select(n =>
        {
            string name = Path.GetFileName(n.Path);
            var exercises = Exercises(n.Path, n.Notebook);
            Save(StudentCopy(n.Path, n.Notebook, student), Path.Combine(student, name));
            Save(FacilitatorCopy(n.Path, n.Notebook, facilitator), Path.Combine(facilitator, name));
            return new WorkshopCopy(n.Path, Path.Combine(student, name), Path.Combine(facilitator, name), exercises);
        }).ToList();
    }

    /// <summary>Reads a notebook's JSON; a missing, malformed or <c>.dib</c> notebook fails naming the file.</summary>
    public static JsonObject Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Notebook not found: {path}", path);
        if (!path.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{path}: workshop copies need .ipynb notebooks (their cells carry the exercise and solution tags).");
        try
        {
            var notebook = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            if (notebook?["cells"] is not JsonArray) throw new InvalidDataException("no \"cells\" array");
            return notebook;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a valid notebook: {e.Message}", e);
        }
    }

    /// <summary>The attendee's copy: solution cells removed, outputs cleared, library references made to work from <paramref name="targetFolder"/>.</summary>
    public static JsonObject StudentCopy(string source, JsonObject notebook, string targetFolder) =>
        Copy(source, notebook, targetFolder, keepSolutions: false);

    /// <summary>The facilitator's copy: every cell, outputs cleared, library references made to work from <paramref name="targetFolder"/>.</summary>
    public static JsonObject FacilitatorCopy(string source, JsonObject notebook, string targetFolder) =>
        Copy(source, notebook, targetFolder, keepSolutions: true);

    /// <summary>
    /// The exercises a notebook's check cells name, in order. With <paramref name="withSolutions"/> (a source notebook,
    /// a facilitator's copy) every exercise cell must be followed by its solution cell, and every solution cell follow
    /// an exercise cell.
    /// </summary>
    public static IReadOnlyList<string> Exercises(string path, JsonObject notebook, bool withSolutions = true)
    {
        var code = Cells(notebook).Select((c, i) => (Cell: c, Number: i + 1)).Where(c => (string?)c.Cell["cell_type"] == "code").ToList();
        for (int k = 0; k < code.Count; k++)
        {
            bool exercise = Tags(code[k].Cell).Contains(ExerciseTag), solution = Tags(code[k].Cell).Contains(SolutionTag);
            if (solution && (k == 0 || !Tags(code[k - 1].Cell).Contains(ExerciseTag)))
                throw new InvalidDataException($"{path}: cell {code[k].Number} is tagged '{SolutionTag}' but the code cell before it is not tagged '{ExerciseTag}'.");
            if (exercise && withSolutions && (k + 1 == code.Count || !Tags(code[k + 1].Cell).Contains(SolutionTag)))
                throw new InvalidDataException($"{path}: cell {code[k].Number} is tagged '{ExerciseTag}' but no cell tagged '{SolutionTag}' follows it.");
        }
        var ids = code.SelectMany(c => CheckCall().Matches(Source(c.Cell)).Select(m => m.Groups["id"].Value)).ToList();
        foreach (var id in ids)
            if (Exercise.All.All(e => e.Id != id))
                throw new InvalidDataException($"{path}: checks an unknown exercise '{id}'. The exercises: {string.Join(", ", Exercise.All.Select(e => e.Id))}.");
        return ids;
    }

    static JsonObject Copy(string source, JsonObject notebook, string targetFolder, bool keepSolutions)
    {
        var copy = (JsonObject)notebook.DeepClone();
        var cells = (JsonArray)copy["cells"]!;
        foreach (var cell in cells.Where(c => !keepSolutions && Tags(c!).Contains(SolutionTag)).ToList()) cells.Remove(cell);
        foreach (var cell in cells.OfType<JsonObject>().Where(c => (string?)c["cell_type"] == "code"))
        {
            cell["outputs"] = new JsonArray();
            cell["execution_count"] = null;
            cell["source"] = SourceLines(RewriteReferences(Source(cell), Path.GetDirectoryName(source)!, targetFolder));
        }
        return copy;
    }

    /// <summary>Relative <c>#r</c> paths, which resolve from the notebook's folder, made to name the same files from <paramref name="to"/>.</summary>
    public static string RewriteReferences(string code, string from, string to) => Reference().Replace(code, m =>
    {
        string path = m.Groups["path"].Value;
        if (Path.IsPathRooted(path)) return m.Value;
        string relative = Path.GetRelativePath(Path.GetFullPath(to), Path.GetFullPath(Path.Combine(from, path))).Replace('\\', '/');
        return m.Groups["directive"].Value + relative + m.Groups["end"].Value;
    });

    /// <summary>A cell's tags.</summary>
    public static IReadOnlyList<string> Tags(JsonNode cell) =>
        cell["metadata"]?["tags"] is JsonArray tags ? tags.Select(t => (string?)t ?? "").ToList() : [];

    /// <summary>A cell's source as one string (Jupyter stores it as a string or as lines).</summary>
    public static string Source(JsonNode cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        JsonValue text => (string?)text ?? "",
        _ => "",
    };

    static JsonArray SourceLines(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n') { lines.Add(text[start..(i + 1)]); start = i + 1; }
        if (start < text.Length) lines.Add(text[start..]);
        return lines;
    }

    static IEnumerable<JsonNode> Cells(JsonObject notebook) => ((JsonArray)notebook["cells"]!).OfType<JsonNode>();

    /// <summary>Writes a notebook as Jupyter writes it (one-space indent, UTF-8), atomically.</summary>
    public static void Save(JsonObject notebook, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new JsonSerializerOptions { WriteIndented = true, IndentSize = 1, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        AtomicFile.WriteAllText(path, notebook.ToJsonString(options) + "\n");
    }
}
