namespace Workbench.Data.Interleaved;

/// <summary>
/// Makes Flamingo training documents out of an image-text data set. Document n is a pure function of (seed, n): which
/// samples it shows and what text follows each come from seeds derived from those two numbers alone, never from a
/// generator that advances, so a training run resumed at step s sees exactly the documents the uninterrupted run saw.
/// </summary>
public static class InterleavedDocuments
{
    /// <summary>Writes the text that follows one image (its segments), drawing any choices from <paramref name="random"/>.</summary>
    public delegate IReadOnlyList<TextSegment> ChunkWriter(Sample sample, Random random);

    /// <summary>The default chunk: one of the sample's captions, picked at random (<see cref="InterleavedChunks.Caption"/>).</summary>
    public static IReadOnlyList<TextSegment> CaptionChunk(Sample sample, Random random) => sample.Captions.Count == 0
        ? throw new InvalidOperationException($"sample {sample.Id} has no caption to follow its image")
        : InterleavedChunks.Caption(sample.Captions[random.Next(sample.Captions.Count)]);

    /// <summary>
    /// Documents 0, 1, 2, ... of <paramref name="imagesPerDocument"/> samples each (see <see cref="Document(IImageTextDataset, int, int, long, ChunkWriter?)"/>). Without
    /// <paramref name="count"/> one pass is made (Count / imagesPerDocument documents, the remainder unused); with it,
    /// passes repeat with fresh shuffles until that many documents are made. Made lazily, one at a time.
    /// </summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="imagesPerDocument">Images in each document (1 or more, at most the data set's size).</param>
    /// <param name="seed">Seed of the shuffles and of the text choices.</param>
    /// <param name="count">Number of documents to make; null for one pass over the data.</param>
    /// <param name="chunk">What follows each image; null: a caption (<see cref="CaptionChunk"/>).</param>
    public static IEnumerable<InterleavedDocument> FromDataset(IImageTextDataset dataset, int imagesPerDocument, int seed, int? count = null,
        ChunkWriter? chunk = null)
    {
        Check(dataset, imagesPerDocument);
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), $"count must not be negative, got {count}");
        return Enumerable.Range(0, count ?? dataset.Count / imagesPerDocument).Select(n => Document(dataset, imagesPerDocument, seed, n, chunk));
    }

    /// <summary>
    /// Document <paramref name="index"/>: <c>&lt;image&gt; chunk &lt;image&gt; chunk ...</c> over the samples
    /// <see cref="SampleIndices"/> names, each image followed by what <paramref name="chunk"/> writes for its sample.
    /// </summary>
    public static InterleavedDocument Document(IImageTextDataset dataset, int imagesPerDocument, int seed, long index, ChunkWriter? chunk = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Document(dataset, SampleIndices(dataset.Count, imagesPerDocument, seed, index), seed, index, chunk);
    }

    /// <summary>
    /// Document <paramref name="index"/> over samples already drawn with <see cref="SampleIndices"/> (for a caller that
    /// needs the indices too and should not shuffle the data set twice).
    /// </summary>
    public static InterleavedDocument Document(IImageTextDataset dataset, IReadOnlyList<int> samples, int seed, long index, ChunkWriter? chunk = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        chunk ??= CaptionChunk;
        var random = new Random(StableHash.Combine(seed, index, 0xD0C));
        var segments = new List<InterleavedSegment>();
        var images = new List<RgbImage>();
        var sources = new List<string>();
        foreach (int i in samples)
        {
            var sample = dataset.Get(i);
            segments.Add(new ImageSegment(images.Count));
            try
            {
                segments.AddRange(chunk(sample, random));
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException($"{dataset.Name}: {e.Message}", e);
            }
            images.Add(sample.Image);
            sources.Add(sample.Id);
        }
        return new InterleavedDocument(segments, images, sources);
    }

    /// <summary>
    /// The data-set indices document <paramref name="index"/> shows, in order. Pass p covers documents
    /// p·D .. p·D + D − 1 (D = count / imagesPerDocument) over one shuffle of the data set seeded by (seed, p), so within a
    /// pass every sample appears at most once.
    /// </summary>
    public static int[] SampleIndices(int datasetCount, int imagesPerDocument, int seed, long index)
    {
        if (imagesPerDocument < 1 || imagesPerDocument > datasetCount)
            throw new ArgumentOutOfRangeException(nameof(imagesPerDocument), $"imagesPerDocument must be in [1, {datasetCount}], got {imagesPerDocument}");
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), $"a document index must not be negative, got {index}");
        long perPass = datasetCount / imagesPerDocument;
        long pass = index / perPass;
        int start = (int)(index % perPass) * imagesPerDocument;
        var order = Enumerable.Range(0, datasetCount).ToArray();
        new Random(StableHash.Combine(seed, pass, 0x5A55)).Shuffle(order);
        return order[start..(start + imagesPerDocument)];
    }

    static void Check(IImageTextDataset dataset, int imagesPerDocument)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (imagesPerDocument < 1 || imagesPerDocument > dataset.Count)
            throw new ArgumentOutOfRangeException(nameof(imagesPerDocument), $"imagesPerDocument must be in [1, {dataset.Count}] for {dataset.Name}, got {imagesPerDocument}");
    }
}
