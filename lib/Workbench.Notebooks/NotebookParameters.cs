using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Documents;

namespace Workbench.Notebooks;

/// <summary>One parameter declared in a notebook's parameters cell, e.g. <c>string preset = "quick";</c>.</summary>
/// <param name="Name">The variable name.</param>
/// <param name="Type">The declared C# type (<c>string</c>, <c>int</c>, <c>long</c>, <c>double</c>, <c>float</c>, <c>bool</c>).</param>
/// <param name="Default">The default value as written in the cell.</param>
public sealed record NotebookParameter(string Name, string Type, string Default);

/// <summary>
/// Papermill's convention for C# notebooks: the cell tagged <c>parameters</c> (or whose first line is
/// <c>// parameters</c>, for <c>.dib</c> files that have no tags) declares defaults; the runner injects a cell
/// right after it that assigns the overrides.
/// </summary>
public static partial class NotebookParameters
{
    /// <summary>The tag that marks the parameters cell.</summary>
    public const string Tag = "parameters";
    /// <summary>The tag the runner gives the cell it injects.</summary>
    public const string InjectedTag = "injected-parameters";

    [GeneratedRegex(@"^\s*(?<type>var|string|int|long|double|float|bool)\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?<value>[^;]+);", RegexOptions.Multiline)]
    private static partial Regex Declaration();

    /// <summary>Index of the parameters cell, or -1.</summary>
    public static int FindCell(InteractiveDocument document)
    {
        for (int i = 0; i < document.Elements.Count; i++)
        {
            var cell = document.Elements[i];
            if (NotebookFile.IsMarkdown(cell)) continue;
            if (NotebookFile.Tags(cell).Contains(Tag, StringComparer.OrdinalIgnoreCase)) return i;
            var first = cell.Contents.TrimStart().Split('\n')[0].Trim();
            if (first.Equals("// parameters", StringComparison.OrdinalIgnoreCase)) return i;
        }
        return -1;
    }

    /// <summary>
    /// The cell that applies these overrides and the position it goes to, right after the parameters cell; null when
    /// there are no overrides. Every host that runs notebooks with parameters (<c>workbench run</c>, the tests that
    /// drive VS Code's kernel) injects this same cell. Fails naming the notebook when no cell is tagged
    /// <see cref="Tag"/>, or an override is unknown or ill-typed.
    /// </summary>
    public static (int Index, InteractiveDocumentElement Cell)? Injection(
        string notebook, InteractiveDocument document, IReadOnlyDictionary<string, string> overrides)
    {
        if (overrides.Count == 0) return null;
        int at = FindCell(document);
        if (at < 0)
            throw new ArgumentException($"{notebook}: parameters were given ({string.Join(", ", overrides.Keys)}) " +
                                        $"but no cell is tagged '{Tag}'.");
        var declared = Parse(document.Elements[at].Contents);
        var cell = new InteractiveDocumentElement(BuildInjection(notebook, declared, overrides), "csharp")
        {
            Metadata = new Dictionary<string, object> { ["tags"] = new[] { InjectedTag } },
        };
        return (at + 1, cell);
    }

    /// <summary>The parameters a cell declares.</summary>
    public static IReadOnlyList<NotebookParameter> Parse(string cellContents) =>
        Declaration().Matches(cellContents).Select(m =>
        {
            string type = m.Groups["type"].Value, value = m.Groups["value"].Value.Trim();
            return new NotebookParameter(m.Groups["name"].Value, type == "var" ? InferType(value) : type, value);
        }).ToList();

    /// <summary>
    /// Builds the code of the injected cell: one assignment per override, each value checked against the declared
    /// type. Unknown names and ill-typed values fail with a message naming the notebook and the parameter.
    /// </summary>
    public static string BuildInjection(string notebook, IReadOnlyList<NotebookParameter> declared, IReadOnlyDictionary<string, string> overrides)
    {
        var lines = new List<string> { "// Parameters injected by `workbench run`." };
        foreach (var (name, value) in overrides)
        {
            var parameter = declared.FirstOrDefault(p => p.Name == name)
                ?? throw new ArgumentException(
                    $"{notebook}: no parameter '{name}'. Its parameters cell declares: " +
                    (declared.Count == 0 ? "nothing" : string.Join(", ", declared.Select(p => $"{p.Type} {p.Name}"))) + ".");
            lines.Add($"{name} = {Literal(notebook, parameter, value)};");
        }
        return string.Join("\n", lines);
    }

    static string Literal(string notebook, NotebookParameter p, string value)
    {
        string Fail() => throw new ArgumentException($"{notebook}: parameter '{p.Name}' is {p.Type}; '{value}' is not a valid {p.Type}.");
        var inv = CultureInfo.InvariantCulture;
        return p.Type switch
        {
            "string" => SymbolDisplay(value),
            "bool" => bool.TryParse(value, out var b) ? (b ? "true" : "false") : Fail(),
            "int" => int.TryParse(value, NumberStyles.Integer, inv, out var i) ? i.ToString(inv) : Fail(),
            "long" => long.TryParse(value, NumberStyles.Integer, inv, out var l) ? l.ToString(inv) + "L" : Fail(),
            "double" => double.TryParse(value, NumberStyles.Float, inv, out var d) ? d.ToString("R", inv) + "d" : Fail(),
            "float" => float.TryParse(value, NumberStyles.Float, inv, out var f) ? f.ToString("R", inv) + "f" : Fail(),
            _ => Fail(),
        };
    }

    static string InferType(string literal) => literal switch
    {
        _ when literal.StartsWith('"') => "string",
        "true" or "false" => "bool",
        _ when literal.EndsWith('f') || literal.EndsWith('F') => "float",
        _ when literal.EndsWith('L') || literal.EndsWith('l') => "long",
        _ when literal.Contains('.') || literal.Contains('e') || literal.Contains('E') => "double",
        _ => "int",
    };

    /// <summary>A C# string literal for any text.</summary>
    static string SymbolDisplay(string value) =>
        Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(value, quote: true);
}
