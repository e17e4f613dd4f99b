using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Workbench.IO;

namespace Workbench.Text;

/// <summary>
/// OpenAI CLIP's text tokenizer (Radford et al. 2021): byte-level BPE with a 49,408-token vocabulary, run by
/// Microsoft.ML.Tokenizers over the files in <c>data/clip-bpe/</c>. Gives the ids of <c>clip.tokenize</c>:
/// the text is cleaned and lower-cased (<see cref="ClipTextCleaner"/>), split by <see cref="PreTokenizerPattern"/>,
/// each piece's UTF-8 bytes are written in GPT-2's byte alphabet with <c>&lt;/w&gt;</c> marking the end of the word,
/// and merges are applied by rank. Use <see cref="TextTokenizerExtensions.EncodeBatch"/> with
/// <see cref="ContextLength"/> for CLIP's [batch, 77] input.
/// </summary>
public sealed class ClipBpeTokenizer : ITextTokenizer
{
    /// <summary>CLIP's start-of-text token.</summary>
    public const string StartOfText = "<|startoftext|>";
    /// <summary>CLIP's end-of-text token.</summary>
    public const string EndOfText = "<|endoftext|>";
    /// <summary>The suffix that marks the last piece of a word.</summary>
    public const string EndOfWordSuffix = "</w>";
    /// <summary>CLIP's text length: every caption is 77 tokens, padded or cut.</summary>
    public const int ContextLength = 77;
    /// <summary>The vocabulary file name in the data folder.</summary>
    public const string VocabularyFile = "vocab.json";
    /// <summary>The merges file name in the data folder.</summary>
    public const string MergesFile = "merges.txt";

    /// <summary>
    /// CLIP's pre-tokenizer (case-insensitive): the two special tokens, English contractions, runs of letters,
    /// single digits, and runs of other non-space characters.
    /// </summary>
    public const string PreTokenizerPattern =
        @"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+";

    readonly BpeTokenizer bpe;
    readonly string[] tokenOfId;

    ClipBpeTokenizer(BpeTokenizer bpe, string[] tokenOfId, int beginId, int endId, string folder)
    {
        (this.bpe, this.tokenOfId, BeginId, EndId, Folder) = (bpe, tokenOfId, beginId, endId, folder);
    }

    /// <summary>The folder the vocabulary was read from.</summary>
    public string Folder { get; }

    /// <summary>The repository's <c>data/clip-bpe/</c>, where the workbench ships the vocabulary (null outside a checkout).</summary>
    public static string? DefaultFolder => WorkbenchPaths.Data is { } data ? Path.Combine(data, "clip-bpe") : null;

    /// <inheritdoc/>
    public int VocabularySize => tokenOfId.Length;
    /// <summary>0, as <c>clip.tokenize</c> pads with zeros (0 is also the token "!"; use the batch's lengths, not the id, to find padding).</summary>
    public int PadId => 0;
    /// <summary>The id of <c>&lt;|startoftext|&gt;</c> (49406).</summary>
    public int BeginId { get; }
    /// <summary>The id of <c>&lt;|endoftext|&gt;</c> (49407), the highest id: CLIP reads the text embedding at its position.</summary>
    public int EndId { get; }
    /// <summary>None: CLIP's vocabulary has no image token.</summary>
    public int? ImageId => null;
    /// <summary>None: CLIP's vocabulary has no end-of-chunk token.</summary>
    public int? EndOfChunkId => null;

    /// <summary>The token string of an id, as written in vocab.json (e.g. "cat&lt;/w&gt;").</summary>
    public string TokenOf(int id) => (uint)id < (uint)tokenOfId.Length
        ? tokenOfId[id]
        : throw new ArgumentOutOfRangeException(nameof(id), $"id {id} is outside the vocabulary [0, {tokenOfId.Length})");

    /// <inheritdoc/>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. bpe.EncodeToIds(text)];
    }

    /// <summary>
    /// The text of ids as CLIP decodes it: tokens joined, bytes back to UTF-8 (invalid sequences as U+FFFD), each
    /// <c>&lt;/w&gt;</c> a space; the trailing space is removed. The text comes back cleaned and lower-cased.
    /// </summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (int id in ids)
            foreach (char c in TokenOf(id))
                bytes.Add(ByteLevelAlphabet.ByteOfChar.TryGetValue(c, out byte b) ? b : (byte)'?');
        return Encoding.UTF8.GetString([.. bytes]).Replace(EndOfWordSuffix, " ").TrimEnd(' ');
    }

    /// <summary>
    /// Reads <c>vocab.json</c> and <c>merges.txt</c> (Hugging Face layout) from a folder, by default
    /// <see cref="DefaultFolder"/>. Fails naming the folder when files are missing, and the file (and line) when one is malformed.
    /// </summary>
    public static ClipBpeTokenizer Load(string? folder = null)
    {
        folder ??= DefaultFolder ?? throw new DirectoryNotFoundException(
            "no folder given and no workbench checkout found for the default data/clip-bpe/ (set WORKBENCH_ROOT or pass the folder)");
        string vocabPath = Path.Combine(folder, VocabularyFile), mergesPath = Path.Combine(folder, MergesFile);
        var missing = new[] { vocabPath, mergesPath }.Where(p => !File.Exists(p)).Select(Path.GetFileName).ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException($"{folder}: the CLIP BPE folder lacks {string.Join(" and ", missing)} (the workbench ships them in data/clip-bpe/)");

        var vocabulary = ReadVocabulary(vocabPath);
        var merges = ReadMerges(mergesPath, vocabulary);
        var tokenOfId = new string[vocabulary.Count];
        foreach (var (token, id) in vocabulary)
        {
            if ((uint)id >= (uint)tokenOfId.Length)
                throw new InvalidDataException($"{vocabPath}: id {id} of \"{token}\" is outside [0, {tokenOfId.Length}): ids must be 0..count-1");
            if (tokenOfId[id] is { } other)
                throw new InvalidDataException($"{vocabPath}: id {id} is given to both \"{other}\" and \"{token}\"");
            tokenOfId[id] = token;
        }
        foreach (var special in new[] { StartOfText, EndOfText })
            if (!vocabulary.ContainsKey(special)) throw new InvalidDataException($"{vocabPath}: missing the special token {special}");

        var specials = new Dictionary<string, int> { [StartOfText] = vocabulary[StartOfText], [EndOfText] = vocabulary[EndOfText] };
        var pattern = new Regex(PreTokenizerPattern, RegexOptions.IgnoreCase | RegexOptions.Compiled | RegexOptions.CultureInvariant);
        var bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges,
            SpecialTokens = specials,
            ByteLevel = true,
            EndOfWordSuffix = EndOfWordSuffix,
            Normalizer = ClipTextCleaner.Instance,
            PreTokenizer = new RegexPreTokenizer(pattern, specials),
        });
        return new ClipBpeTokenizer(bpe, tokenOfId, specials[StartOfText], specials[EndOfText], Path.GetFullPath(folder));
    }

    static Dictionary<string, int> ReadVocabulary(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllBytes(path))
                ?? throw new InvalidDataException($"{path}: expected a JSON object of token -> id, found null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a JSON object of token -> id (line {e.LineNumber + 1}): {e.Message}", e);
        }
    }

    /// <summary>The merge lines in rank order, header skipped; each must join two tokens into one in the vocabulary.</summary>
    static List<string> ReadMerges(string path, Dictionary<string, int> vocabulary)
    {
        var merges = new List<string>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1 && line.StartsWith("#version")) continue;
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new InvalidDataException($"{path}:{lineNumber}: expected \"left right\", found \"{line}\"");
            if (!vocabulary.ContainsKey(parts[0] + parts[1]))
                throw new InvalidDataException($"{path}:{lineNumber}: the merge result \"{parts[0] + parts[1]}\" is not in {VocabularyFile}");
            merges.Add(line);
        }
        return merges;
    }
}
