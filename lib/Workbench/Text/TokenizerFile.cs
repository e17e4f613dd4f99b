using System.Text.Encodings.Web;
using System.Text.Json;
using Workbench.IO;

namespace Workbench.Text;

/// <summary>
/// A tokenizer saved beside the model that reads it (a run folder's <c>tokenizer.json</c>): a JSON object whose
/// <c>"kind"</c> names the tokenizer and whose <c>"version"</c> its format. <c>"word"</c> is a
/// <see cref="WordTokenizer"/> with its <c>"tokens"</c>; files written before kinds existed have no <c>"kind"</c> and
/// are word vocabularies. <c>"gpt2"</c> is a <see cref="Gpt2Tokenizer"/>, whose vocabulary ships with its package.
/// </summary>
public static class TokenizerFile
{
    /// <summary>The property that names the kind of tokenizer.</summary>
    public const string KindProperty = "kind";

    /// <summary>Writes a tokenizer's file atomically; only tokenizers a run folder can hold are accepted.</summary>
    public static void Save(ITextTokenizer tokenizer, string path)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        switch (tokenizer)
        {
            case WordTokenizer word: word.Save(path); break;
            case Gpt2Tokenizer gpt2: gpt2.Save(path); break;
            default: throw new NotSupportedException(
                $"a {tokenizer.GetType().Name} cannot be saved as a tokenizer file (kinds: \"{WordTokenizer.Kind}\", \"{Gpt2Tokenizer.Kind}\")");
        }
    }

    /// <summary>Reads a tokenizer file of any kind; a missing, damaged or unknown one gets an error naming the file and the problem.</summary>
    public static ITextTokenizer Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: tokenizer file not found", path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: expected a JSON object with \"{KindProperty}\" and \"version\", found {root.ValueKind}");
            string kind = WordTokenizer.Kind;
            if (root.TryGetProperty(KindProperty, out var named))
                kind = named.ValueKind == JsonValueKind.String ? named.GetString()!
                    : throw new InvalidDataException($"{path}: \"{KindProperty}\" is {named.ValueKind}, not a string");
            return kind switch
            {
                WordTokenizer.Kind => WordTokenizer.Read(root, path),
                Gpt2Tokenizer.Kind => Gpt2Tokenizer.Read(root, path),
                _ => throw new InvalidDataException(
                    $"{path}: unknown tokenizer kind \"{kind}\" (this build reads \"{WordTokenizer.Kind}\" and \"{Gpt2Tokenizer.Kind}\")"),
            };
        }
    }

    /// <summary>Writes <c>{"kind": ..., "version": ..., ...}</c> atomically, <paramref name="body"/> writing the rest of the object.</summary>
    internal static void Write(string path, string kind, int version, Action<Utf8JsonWriter> body)
    {
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, options);
            json.WriteStartObject();
            json.WriteString(KindProperty, kind);
            json.WriteNumber("version", version);
            body(json);
            json.WriteEndObject();
        });
    }

    /// <summary>Throws naming the file unless its <c>"version"</c> is <paramref name="version"/>.</summary>
    internal static void RequireVersion(JsonElement root, string path, int version)
    {
        if (!root.TryGetProperty("version", out var found) || found.ValueKind != JsonValueKind.Number)
            throw new InvalidDataException($"{path}: missing the number \"version\"");
        if (!found.TryGetInt32(out int v) || v != version)
            throw new InvalidDataException($"{path}: format version {found.GetRawText()} is not supported (this build reads version {version})");
    }
}
