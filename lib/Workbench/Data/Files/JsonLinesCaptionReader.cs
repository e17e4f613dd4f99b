using System.Text.Json;

namespace Workbench.Data.Files;

/// <summary>
/// Reads JSON Lines caption files: one object per line with the image under <c>image</c>, <c>file_name</c>,
/// <c>filepath</c> or <c>filename</c> (the first present), and the caption under <c>caption</c> or <c>text</c>
/// (a string) or <c>captions</c> (an array of strings). Blank lines are skipped.
/// </summary>
static class JsonLinesCaptionReader
{
    /// <summary>Field names accepted for the image path, in order of preference.</summary>
    public static readonly string[] ImageFields = ["image", "file_name", "filepath", "filename"];
    /// <summary>Field names accepted for the caption(s), in order of preference.</summary>
    public static readonly string[] CaptionFields = ["caption", "text", "captions"];

    public static CaptionFileContents Read(string path, string imageRoot)
    {
        var grouping = new RecordGrouping(imageRoot);
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonDocument document;
            try { document = JsonDocument.Parse(text); }
            catch (JsonException ex)
            {
                string column = ex.BytePositionInLine is long b ? $" (byte {b + 1})" : "";
                string message = ex.Message.Split(" LineNumber:")[0];
                throw new CaptionFileException(path, line, $"invalid JSON{column}: {message}", ex);
            }
            using (document)
            {
                var entry = document.RootElement;
                JsonFields.RequireObject(entry, path, line, "the line");
                var (imageName, imageValue) = JsonFields.FirstPresent(entry, ImageFields);
                if (imageName is null)
                    throw new CaptionFileException(path, line, $"no image field (one of {string.Join(", ", ImageFields)})");
                string image = JsonFields.String(imageValue, imageName, path, line, "the line").Trim();
                if (image.Length == 0) throw new CaptionFileException(path, line, $"empty '{imageName}' (no image path)");
                grouping.Add(image, line, Captions(entry, path, line));
            }
        }
        return new CaptionFileContents(path, CaptionFormat.JsonLines, grouping.Records(), 0, 0);
    }

    static List<string> Captions(JsonElement entry, string path, int line)
    {
        var (name, value) = JsonFields.FirstPresent(entry, CaptionFields);
        if (name is null)
            throw new CaptionFileException(path, line, $"no caption field (one of {string.Join(", ", CaptionFields)})");
        if (name != "captions") return [JsonFields.String(value, name, path, line, "the line")];
        if (value.ValueKind != JsonValueKind.Array)
            throw new CaptionFileException(path, line, $"'captions' must be an array of strings, found {value.ValueKind}");
        var captions = value.EnumerateArray().Select(c => JsonFields.String(c, "captions[]", path, line, "the line")).ToList();
        if (captions.Count == 0) throw new CaptionFileException(path, line, "'captions' is empty");
        return captions;
    }
}
