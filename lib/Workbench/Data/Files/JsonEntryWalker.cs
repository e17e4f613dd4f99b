using System.Text.Json;

namespace Workbench.Data.Files;

/// <summary>
/// Walks the entries of the arrays in a JSON caption file one at a time, with the line each entry starts on, so
/// that errors can name the line (<see cref="JsonDocument"/> alone keeps no positions) and a 200 MB file is never
/// held as one document tree.
/// </summary>
static class JsonEntryWalker
{
    /// <summary>Called for each array entry: the element (valid during the call only), its 0-based index and its 1-based line.</summary>
    public delegate void EntryHandler(JsonElement entry, int index, int line);

    static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    /// <summary>The file's bytes without a UTF-8 byte order mark.</summary>
    public static ReadOnlyMemory<byte> ReadBytes(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsMemory(3) : bytes;
    }

    /// <summary>The first byte after a byte order mark and whitespace, or 0 for a blank file: '[' or '{' tells LLaVA from COCO.</summary>
    public static byte FirstSignificantByte(string path)
    {
        using var stream = new BufferedStream(File.OpenRead(path));
        int b, position = 0;
        while ((b = stream.ReadByte()) >= 0)
        {
            bool byteOrderMark = position++ < 3 && b is 0xEF or 0xBB or 0xBF;
            if (!byteOrderMark && b is not (' ' or '\t' or '\r' or '\n')) return (byte)b;
        }
        return 0;
    }

    /// <summary>Walks a top-level array.</summary>
    public static void ForEachInArray(string path, ReadOnlyMemory<byte> json, EntryHandler handler)
    {
        var lines = new LineCounter(json);
        var reader = new Utf8JsonReader(json.Span, ReaderOptions);
        try
        {
            if (!reader.Read()) throw new CaptionFileException(path, 0, "the file is empty; expected a JSON array");
            if (reader.TokenType != JsonTokenType.StartArray)
                throw new CaptionFileException(path, lines.LineAt(reader.TokenStartIndex), $"expected a JSON array of entries, found {reader.TokenType}");
            WalkArray(ref reader, lines, handler);
        }
        catch (JsonException ex) { throw InvalidJson(path, ex); }
    }

    /// <summary>
    /// Walks the arrays under the named properties of a top-level object, in file order; other properties are skipped.
    /// Returns the names of the handled properties that were present.
    /// </summary>
    public static IReadOnlySet<string> ForEachInObjectArrays(string path, ReadOnlyMemory<byte> json, IReadOnlyDictionary<string, EntryHandler> handlers)
    {
        var lines = new LineCounter(json);
        var reader = new Utf8JsonReader(json.Span, ReaderOptions);
        var seen = new HashSet<string>();
        try
        {
            if (!reader.Read()) throw new CaptionFileException(path, 0, "the file is empty; expected a JSON object");
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new CaptionFileException(path, lines.LineAt(reader.TokenStartIndex), $"expected a JSON object, found {reader.TokenType}");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                if (!handlers.TryGetValue(name, out var handler)) { reader.Skip(); continue; }
                if (reader.TokenType != JsonTokenType.StartArray)
                    throw new CaptionFileException(path, lines.LineAt(reader.TokenStartIndex), $"'{name}' must be an array, found {reader.TokenType}");
                seen.Add(name);
                WalkArray(ref reader, lines, handler);
            }
        }
        catch (JsonException ex) { throw InvalidJson(path, ex); }
        return seen;
    }

    static void WalkArray(ref Utf8JsonReader reader, LineCounter lines, EntryHandler handler)
    {
        int index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            int line = lines.LineAt(reader.TokenStartIndex);
            using var entry = JsonDocument.ParseValue(ref reader);
            handler(entry.RootElement, index++, line);
        }
    }

    /// <summary>A System.Text.Json error as a caption file error at its (1-based) line.</summary>
    public static CaptionFileException InvalidJson(string path, JsonException ex)
    {
        int line = ex.LineNumber is long l ? (int)l + 1 : 0;
        string column = ex.BytePositionInLine is long b ? $" (byte {b + 1} of the line)" : "";
        return new CaptionFileException(path, line, $"invalid JSON{column}: {MessageWithoutPosition(ex)}", ex);
    }

    /// <summary>System.Text.Json appends "LineNumber: 2 | BytePositionInLine: 5." counted from 0; the 1-based line is reported instead.</summary>
    static string MessageWithoutPosition(JsonException ex)
    {
        int cut = ex.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? ex.Message[..cut] : ex.Message;
    }

    /// <summary>Turns byte offsets into 1-based line numbers, scanning forward once (offsets are asked for in increasing order).</summary>
    sealed class LineCounter(ReadOnlyMemory<byte> json)
    {
        int line = 1;
        int position;

        public int LineAt(long offset)
        {
            var span = json.Span;
            int end = (int)Math.Min(offset, span.Length);
            if (end > position)
            {
                line += span[position..end].Count((byte)'\n');
                position = end;
            }
            return line;
        }
    }
}
