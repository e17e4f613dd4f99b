using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Workbench.Text;

/// <summary>
/// A word-level tokenizer whose vocabulary is built from the training texts: small, readable, and enough for the
/// workbench's generated captions. Text is lower-cased and split by <see cref="SplitPattern"/>: a special token
/// written out (<c>&lt;image&gt;</c>, <c>&lt;eoc&gt;</c>...), a run of letters and digits, or any other single
/// non-space character. So "A red circle, top-left." gives <c>a red circle , top - left .</c>.
/// Words outside the vocabulary become <c>&lt;unk&gt;</c>.
/// The six special tokens (<see cref="SpecialTokens"/>) have fixed ids 0-5 in every vocabulary (<see cref="ReservedTokens"/>);
/// words follow from id 6, most frequent first.
/// </summary>
public sealed partial class WordTokenizer : ITextTokenizer
{
    /// <summary>The special tokens in id order: token i has id i in every <see cref="WordTokenizer"/>.</summary>
    public static readonly IReadOnlyList<string> ReservedTokens =
        [SpecialTokens.Pad, SpecialTokens.Begin, SpecialTokens.End, SpecialTokens.Image, SpecialTokens.EndOfChunk, SpecialTokens.Unknown];

    /// <summary>How lower-cased text is split into tokens (letters and digits are Unicode classes, not just ASCII).</summary>
    public const string SplitPattern = $"{SpecialTokens.Pad}|{SpecialTokens.Begin}|{SpecialTokens.End}|{SpecialTokens.Image}|{SpecialTokens.EndOfChunk}|{SpecialTokens.Unknown}" +
        @"|[\p{L}\p{N}]+|[^\s\p{L}\p{N}]";

    /// <summary>The kind a tokenizer file names (<see cref="TokenizerFile"/>; files without a kind are word vocabularies).</summary>
    public const string Kind = "word";

    /// <summary>The version number written by <see cref="Save"/> and accepted by <see cref="Load"/>.</summary>
    public const int FormatVersion = 1;

    [GeneratedRegex(SplitPattern)]
    private static partial Regex Splitter();

    readonly string[] tokens;
    readonly Dictionary<string, int> ids;

    /// <summary>
    /// A tokenizer over a token list in id order; the list must start with <see cref="ReservedTokens"/> and have no
    /// duplicates or empty tokens. Usually made by <see cref="Build"/> or <see cref="Load"/>.
    /// </summary>
    public WordTokenizer(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (Validate(tokens) is { } problem) throw new ArgumentException(problem, nameof(tokens));
        this.tokens = [.. tokens];
        ids = new Dictionary<string, int>(this.tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < this.tokens.Length; i++) ids[this.tokens[i]] = i;
    }

    /// <summary>The tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => tokens;

    /// <inheritdoc/>
    public int VocabularySize => tokens.Length;
    /// <inheritdoc/>
    public int PadId => 0;
    /// <inheritdoc/>
    public int BeginId => 1;
    /// <inheritdoc/>
    public int EndId => 2;
    /// <inheritdoc/>
    public int? ImageId => 3;
    /// <inheritdoc/>
    public int? EndOfChunkId => 4;
    /// <summary>The id that words outside the vocabulary get.</summary>
    public int UnknownId => 5;

    /// <summary>The id of a token, or null if it is not in the vocabulary.</summary>
    public int? IdOf(string token) => ids.TryGetValue(token, out int id) ? id : null;

    /// <summary>The token of an id.</summary>
    public string TokenOf(int id) => (uint)id < (uint)tokens.Length
        ? tokens[id]
        : throw new ArgumentOutOfRangeException(nameof(id), $"id {id} is outside the vocabulary [0, {tokens.Length})");

    /// <summary>Lower-cases a text and splits it by <see cref="SplitPattern"/>, before any vocabulary lookup.</summary>
    public static IEnumerable<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match m in Splitter().Matches(text.ToLowerInvariant())) yield return m.Value;
    }

    /// <summary>
    /// Builds a vocabulary from texts: every word seen at least <paramref name="minCount"/> times, most frequent first
    /// (ties in ordinal order, so the result does not depend on the order of the texts), after the special tokens.
    /// </summary>
    /// <param name="texts">The training texts.</param>
    /// <param name="minCount">Fewer occurrences than this and a word is left out (becomes <c>&lt;unk&gt;</c>).</param>
    /// <param name="maxSize">The largest vocabulary size allowed, special tokens included; the rarest words are dropped.</param>
    public static WordTokenizer Build(IEnumerable<string> texts, int minCount = 1, int? maxSize = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (minCount < 1) throw new ArgumentOutOfRangeException(nameof(minCount), $"minCount must be at least 1, got {minCount}");
        if (maxSize < ReservedTokens.Count)
            throw new ArgumentOutOfRangeException(nameof(maxSize), $"maxSize must be at least the {ReservedTokens.Count} special tokens, got {maxSize}");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var word in Split(text))
                counts[word] = counts.GetValueOrDefault(word) + 1;
        var words = counts
            .Where(kv => kv.Value >= minCount && !ReservedTokens.Contains(kv.Key))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key)
            .Take((maxSize ?? int.MaxValue) - ReservedTokens.Count);
        return new WordTokenizer([.. ReservedTokens, .. words]);
    }

    /// <inheritdoc/>
    public int[] Encode(string text) => Split(text).Select(word => ids.TryGetValue(word, out int id) ? id : UnknownId).ToArray();

    /// <summary>
    /// The distinct words of a text that the vocabulary lacks, in order of first appearance. Each is encoded as
    /// <c>&lt;unk&gt;</c>, so a model cannot tell them apart: against a vocabulary built from "a photo of a t-shirt.",
    /// "a photo of a T-shirt/top." gives <c>/ top</c>.
    /// </summary>
    public IReadOnlyList<string> UnknownWords(string text) =>
        Split(text).Where(word => !ids.ContainsKey(word)).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// One line naming the words of some texts that a vocabulary lacks, each with the place it first occurs, or null
    /// when there are none, e.g. <c>3 words are not in the vocabulary and are read as &lt;unk&gt;: "/", "top" (class
    /// "T-shirt/top"); "trouser" (class "Trouser")</c>. At most <paramref name="maxPlaces"/> places are listed.
    /// </summary>
    /// <param name="texts">Each text with the place it comes from ("line 3", "class \"Bag\"").</param>
    /// <param name="unknownWords">The words of a text the vocabulary lacks, such as a tokenizer's <see cref="UnknownWords"/>.</param>
    /// <param name="maxPlaces">The most places to name; the others are counted.</param>
    public static string? DescribeUnknownWords(IEnumerable<(string Where, string Text)> texts,
                                               Func<string, IReadOnlyList<string>> unknownWords, int maxPlaces = 8)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(unknownWords);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var places = new List<(string Where, List<string> Words)>();
        foreach (var (where, text) in texts)
        {
            var fresh = unknownWords(text).Where(seen.Add).ToList();
            if (fresh.Count > 0) places.Add((where, fresh));
        }
        if (places.Count == 0) return null;
        var named = places.Take(maxPlaces).Select(p => $"{string.Join(", ", p.Words.Select(w => $"\"{w}\""))} ({p.Where})");
        int unnamedWords = places.Skip(maxPlaces).Sum(p => p.Words.Count), unnamedPlaces = places.Count - maxPlaces;
        static string Words(int n) => n == 1 ? "1 word" : $"{n} words";
        string rest = unnamedWords > 0 ? $"; and {Words(unnamedWords)} more in {unnamedPlaces} more place{(unnamedPlaces == 1 ? "" : "s")}" : "";
        return $"{Words(seen.Count)} {(seen.Count == 1 ? "is" : "are")} not in the vocabulary and read as {SpecialTokens.Unknown}: {string.Join("; ", named)}{rest}";
    }

    /// <summary>
    /// The tokens joined by spaces, except that <c>. , ! ? ; :</c> attach to the word before them. Encoding the result
    /// gives the same ids back.
    /// </summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        foreach (int id in ids)
        {
            string token = TokenOf(id);
            bool attach = token.Length == 1 && ".,!?;:".Contains(token[0]);
            if (text.Length > 0 && !attach) text.Append(' ');
            text.Append(token);
        }
        return text.ToString();
    }

    /// <summary>
    /// Writes the vocabulary as JSON (<c>{"kind": "word", "version": 1, "tokens": [...]}</c>, tokens in id order),
    /// atomically; see <see cref="TokenizerFile"/>.
    /// </summary>
    public void Save(string path) => TokenizerFile.Write(path, Kind, FormatVersion, json =>
    {
        json.WriteStartArray("tokens");
        foreach (var token in tokens) json.WriteStringValue(token);
        json.WriteEndArray();
    });

    /// <summary>Reads a vocabulary written by <see cref="Save"/>; a bad file gets an error naming the file and the problem.</summary>
    public static WordTokenizer Load(string path) => TokenizerFile.Load(path) as WordTokenizer
        ?? throw new InvalidDataException($"{path}: not a word vocabulary (its \"{TokenizerFile.KindProperty}\" is not \"{Kind}\")");

    /// <summary>The vocabulary of a tokenizer file's JSON object (<see cref="TokenizerFile.Load"/> has read its kind).</summary>
    internal static WordTokenizer Read(JsonElement root, string path)
    {
        TokenizerFile.RequireVersion(root, path, FormatVersion);
        if (!root.TryGetProperty("tokens", out var list) || list.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: missing the array \"tokens\"");
        var tokens = new List<string>(list.GetArrayLength());
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{path}: token {tokens.Count} is {item.ValueKind}, not a string");
            tokens.Add(item.GetString()!);
        }
        if (Validate(tokens) is { } problem) throw new InvalidDataException($"{path}: {problem}");
        return new WordTokenizer(tokens);
    }

    static string? Validate(IReadOnlyList<string> tokens)
    {
        for (int i = 0; i < ReservedTokens.Count; i++)
        {
            if (i >= tokens.Count)
                return $"missing special token {ReservedTokens[i]} (the vocabulary has only {tokens.Count} tokens; the first {ReservedTokens.Count} must be {string.Join(" ", ReservedTokens)})";
            if (tokens[i] != ReservedTokens[i])
                return $"token {i} must be the special token {ReservedTokens[i]}, found \"{tokens[i]}\"";
        }
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (string.IsNullOrEmpty(tokens[i])) return $"token {i} is empty";
            if (!seen.TryAdd(tokens[i], i)) return $"duplicate token \"{tokens[i]}\" at ids {seen[tokens[i]]} and {i}";
        }
        return null;
    }
}
