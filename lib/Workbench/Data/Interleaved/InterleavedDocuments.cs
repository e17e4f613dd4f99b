namespace Workbench.Data.Interleaved;

/// <summary>Makes Flamingo training documents out of an image-text data set.</summary>
public static class InterleavedDocuments
{
    /// <summary>
    /// Documents of <paramref name="imagesPerDocument"/> samples each, every image followed by one of its captions
    /// (a paraphrase picked at random) and <see cref="InterleavedDocument.EndOfChunkMarker"/>:
    /// "&lt;image&gt; caption &lt;eoc&gt; &lt;image&gt; caption &lt;eoc&gt; ...". Samples are visited in a shuffled order, each
    /// once per pass; without <paramref name="count"/> one pass is made (Count / imagesPerDocument documents, the
    /// remainder unused), with it passes repeat with fresh shuffles until that many documents are made.
    /// Deterministic for a seed; documents are made lazily, one at a time.
    /// </summary>
    /// <param name="dataset">Samples with at least one caption each.</param>
    /// <param name="imagesPerDocument">Images in each document (1 or more, at most the data set's size).</param>
    /// <param name="seed">Seed of the shuffle and of the caption choice.</param>
    /// <param name="count">Number of documents to make; null for one pass over the data.</param>
    public static IEnumerable<InterleavedDocument> FromDataset(IImageTextDataset dataset, int imagesPerDocument, int seed, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (imagesPerDocument < 1 || imagesPerDocument > dataset.Count)
            throw new ArgumentOutOfRangeException(nameof(imagesPerDocument), $"imagesPerDocument must be in [1, {dataset.Count}] for {dataset.Name}, got {imagesPerDocument}");
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), $"count must not be negative, got {count}");
        return Make(dataset, imagesPerDocument, seed, count ?? dataset.Count / imagesPerDocument);
    }

    static IEnumerable<InterleavedDocument> Make(IImageTextDataset dataset, int imagesPerDocument, int seed, int count)
    {
        var random = new Random(seed);
        int[] order = [];
        int next = order.Length;
        for (int made = 0; made < count; made++)
        {
            if (next + imagesPerDocument > order.Length)
            {
                order = Enumerable.Range(0, dataset.Count).ToArray();
                random.Shuffle(order);
                next = 0;
            }
            var segments = new List<InterleavedSegment>();
            var images = new List<RgbImage>();
            var sources = new List<string>();
            for (int i = 0; i < imagesPerDocument; i++)
            {
                var sample = dataset.Get(order[next++]);
                if (sample.Captions.Count == 0)
                    throw new InvalidOperationException($"{dataset.Name}: sample {sample.Id} has no caption to follow its image");
                string caption = sample.Captions[random.Next(sample.Captions.Count)];
                segments.Add(new ImageSegment(images.Count));
                segments.Add(new TextSegment($"{caption} {InterleavedDocument.EndOfChunkMarker}"));
                images.Add(sample.Image);
                sources.Add(sample.Id);
            }
            yield return new InterleavedDocument(segments, images, sources);
        }
    }
}
