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
}
