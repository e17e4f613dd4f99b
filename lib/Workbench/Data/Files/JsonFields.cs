using System.Text.Json;

namespace Workbench.Data.Files;

/// <summary>Reads fields of a JSON caption entry, failing with the file, line and entry named.</summary>
static class JsonFields
{
    /// <summary>The entry must be an object.</summary>
    public static void RequireObject(JsonElement entry, string path, int line, string what)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw new CaptionFileException(path, line, $"{what} must be a JSON object, found {entry.ValueKind}");
    }

    /// <summary>The first of the named fields that is present (and not null), with its name; (null, null) when none is.</summary>
    public static (string? Name, JsonElement Value) FirstPresent(JsonElement entry, params ReadOnlySpan<string> names)
    {
        foreach (string name in names)
            if (entry.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null) return (name, value);
        return (null, default);
    }

    /// <summary>A field that must be a string.</summary>
    public static string String(JsonElement value, string name, string path, int line, string what)
    {
        if (value.ValueKind != JsonValueKind.String)
            throw new CaptionFileException(path, line, $"{what}: '{name}' must be a string, found {value.ValueKind}");
        return value.GetString()!;
    }

    /// <summary>A required string field.</summary>
    public static string RequiredString(JsonElement entry, string name, string path, int line, string what)
    {
        if (!entry.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            throw new CaptionFileException(path, line, $"{what} has no '{name}'");
        return String(value, name, path, line, what);
    }

    /// <summary>An identifier that may be written as a number or a string, as text ("391895", "000000391895").</summary>
    public static string Identifier(JsonElement value, string name, string path, int line, string what) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.String => value.GetString()!,
        _ => throw new CaptionFileException(path, line, $"{what}: '{name}' must be a number or a string, found {value.ValueKind}"),
    };
}
