namespace Workbench.Data.Interleaved;

/// <summary>
/// Tokenized interleaved documents collated to one fixed length, flat and row-major, ready to become tensors:
/// ids [Rows, Length], most-recent-image indices [Rows, Length], and each row's images.
/// Padding positions have <see cref="PadId"/> and image index -1 ("no image"), like text before the first image;
/// a model must give such tokens a zero cross-attention output, as OpenFlamingo does, rather than a softmax over
/// nothing. A document longer than the length is cut at the end; images whose image token was cut are dropped.
/// </summary>
public sealed class InterleavedBatch
{
    /// <summary>Token ids, index row * Length + position.</summary>
    public long[] Ids { get; }
    /// <summary>For every token, the index into its row's <see cref="Images"/> of the image it attends to, or -1.</summary>
    public long[] MostRecentImage { get; }
    /// <summary>Each row's images in order (the images whose image token fits in the length).</summary>
    public IReadOnlyList<IReadOnlyList<RgbImage>> Images { get; }
    /// <summary>Real (unpadded) tokens per row.</summary>
    public int[] Lengths { get; }
    /// <summary>Number of documents.</summary>
    public int Rows { get; }
    /// <summary>Tokens per row.</summary>
    public int Length { get; }
    /// <summary>The id used for padding.</summary>
    public long PadId { get; }

    /// <summary>The most images in any row: the image axis of a [Rows, MaxImages, ...] image tensor.</summary>
    public int MaxImages => Images.Count == 0 ? 0 : Images.Max(row => row.Count);

    InterleavedBatch(long[] ids, long[] recent, IReadOnlyList<IReadOnlyList<RgbImage>> images, int[] lengths, int rows, int length, long padId) =>
        (Ids, MostRecentImage, Images, Lengths, Rows, Length, PadId) = (ids, recent, images, lengths, rows, length, padId);

    /// <summary>Collates documents to a fixed length (see the class summary for padding and cutting).</summary>
    public static InterleavedBatch Collate(IReadOnlyList<TokenizedInterleaved> documents, int length, int padId)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), $"length must be positive, got {length}");
        var ids = new long[documents.Count * length];
        var recent = new long[documents.Count * length];
        Array.Fill(ids, padId);
        Array.Fill(recent, -1L);
        var images = new IReadOnlyList<RgbImage>[documents.Count];
        var lengths = new int[documents.Count];
        for (int row = 0; row < documents.Count; row++)
        {
            var doc = documents[row];
            int kept = Math.Min(doc.Ids.Length, length);
            for (int t = 0; t < kept; t++)
            {
                ids[row * length + t] = doc.Ids[t];
                recent[row * length + t] = doc.MostRecentImage[t];
            }
            lengths[row] = kept;
            images[row] = doc.Images.Take(doc.ImagePositions.Count(p => p < length)).ToArray();
        }
        return new InterleavedBatch(ids, recent, images, lengths, documents.Count, length, padId);
    }

    /// <summary>
    /// Flamingo's cross-attention mask as a flat [Rows, Length, MaxImages] array: true where the token may attend to
    /// the image, i.e. where the image is the token's most recent one.
    /// </summary>
    public bool[] CrossAttentionMask()
    {
        int images = MaxImages;
        var mask = new bool[Rows * Length * images];
        for (int i = 0; i < Rows * Length; i++)
            if (MostRecentImage[i] >= 0) mask[i * images + MostRecentImage[i]] = true;
        return mask;
    }
}
