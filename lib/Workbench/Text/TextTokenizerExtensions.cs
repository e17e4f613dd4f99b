namespace Workbench.Text;

/// <summary>Conveniences every <see cref="ITextTokenizer"/> gets.</summary>
public static class TextTokenizerExtensions
{
    /// <summary>
    /// Encodes texts to a fixed-length batch: optional begin id, the text, optional end id, padding with
    /// <see cref="ITextTokenizer.PadId"/>; a long text is cut but keeps its end id. See <see cref="TokenBatch"/>.
    /// </summary>
    public static TokenBatch EncodeBatch(this ITextTokenizer tokenizer, IReadOnlyList<string> texts, int length, bool addBegin = true, bool addEnd = true) =>
        TokenBatch.Encode(tokenizer, texts, length, addBegin, addEnd);

    /// <summary>
    /// One token's text, the id decoded alone: a word-level vocabulary's token, a BPE id's piece of text (with its
    /// leading space; a lone byte of a longer character shows as U+FFFD), a special token as written in text.
    /// </summary>
    public static string TokenText(this ITextTokenizer tokenizer, int id) => tokenizer.Decode([id]);

    /// <summary>
    /// The distinct words of a text that the tokenizer reads as <c>&lt;unk&gt;</c>, in order of first appearance: a
    /// <see cref="WordTokenizer"/>'s <see cref="WordTokenizer.UnknownWords"/>; none for a byte-level BPE, which spells any text.
    /// </summary>
    public static IReadOnlyList<string> UnknownWords(this ITextTokenizer tokenizer, string text) =>
        tokenizer is WordTokenizer words ? words.UnknownWords(text) : [];
}
