namespace Workbench.Text;

/// <summary>
/// Token ids of several texts at one fixed length, row-major in a flat array ready to become a tensor of shape
/// [Rows, Length]. Each row is: optional begin id, the text's ids, optional end id, then <see cref="PadId"/> up to the
/// length. A text too long for the row is cut, but the end id is kept as the last token (as <c>clip.tokenize(...,
/// truncate=True)</c> does), because models such as CLIP read the sentence's embedding at the end token.
/// </summary>
public sealed class TokenBatch
{
    /// <summary>The ids, row by row: index row * Length + column.</summary>
    public long[] Ids { get; }
    /// <summary>Number of texts.</summary>
    public int Rows { get; }
    /// <summary>Tokens per row.</summary>
    public int Length { get; }
    /// <summary>For each row, how many tokens are real (begin, text and end tokens); the rest are padding.</summary>
    public int[] Lengths { get; }
    /// <summary>The id used for padding.</summary>
    public long PadId { get; }

    /// <summary>The shape as a tensor would have it: [Rows, Length].</summary>
    public long[] Shape => [Rows, Length];

    /// <summary>The id at a row and column.</summary>
    public long this[int row, int column] => Ids[row * Length + column];

    TokenBatch(long[] ids, int rows, int length, int[] lengths, long padId) =>
        (Ids, Rows, Length, Lengths, PadId) = (ids, rows, length, lengths, padId);

    /// <summary>The real (unpadded) ids of one row.</summary>
    public int[] Row(int row) => Enumerable.Range(0, Lengths[row]).Select(c => (int)this[row, c]).ToArray();

    /// <summary>The ids as a two-dimensional array [Rows, Length].</summary>
    public long[,] ToArray2D()
    {
        var result = new long[Rows, Length];
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Length; c++) result[r, c] = this[r, c];
        return result;
    }

    /// <summary>Encodes texts to one fixed length; see the class summary for the layout of a row.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="texts">The texts, one per row.</param>
    /// <param name="length">Tokens per row; at least the number of special tokens asked for, and at least 1.</param>
    /// <param name="addBegin">Put <see cref="ITextTokenizer.BeginId"/> first.</param>
    /// <param name="addEnd">Put <see cref="ITextTokenizer.EndId"/> after the text (kept when the text is cut).</param>
    public static TokenBatch Encode(ITextTokenizer tokenizer, IReadOnlyList<string> texts, int length, bool addBegin, bool addEnd)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(texts);
        int specials = (addBegin ? 1 : 0) + (addEnd ? 1 : 0);
        if (length < Math.Max(1, specials))
            throw new ArgumentOutOfRangeException(nameof(length), $"length {length} cannot hold the {specials} special token(s) asked for");
        var ids = new long[texts.Count * length];
        Array.Fill(ids, (long)tokenizer.PadId);
        var lengths = new int[texts.Count];
        for (int row = 0; row < texts.Count; row++)
        {
            int[] text = tokenizer.Encode(texts[row]);
            int kept = Math.Min(text.Length, length - specials);
            int at = row * length;
            if (addBegin) ids[at++] = tokenizer.BeginId;
            for (int i = 0; i < kept; i++) ids[at++] = text[i];
            if (addEnd) ids[at++] = tokenizer.EndId;
            lengths[row] = at - row * length;
        }
        return new TokenBatch(ids, texts.Count, length, lengths, tokenizer.PadId);
    }
}
