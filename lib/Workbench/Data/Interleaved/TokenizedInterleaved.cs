using Workbench.Text;

namespace Workbench.Data.Interleaved;

/// <summary>
/// An interleaved document as the model reads it: token ids with an image id where each image sits, the images in
/// order, and for every token the index of the most recent image at or before it (-1 before the first image).
/// That index is Flamingo's masked cross-attention (Alayrac et al. 2022, section 2.3): a text token attends only to
/// the visual tokens of the image just before it, not to earlier or later ones. The image token itself counts as
/// after its image, as in OpenFlamingo (a cumulative count of image tokens).
/// </summary>
public sealed class TokenizedInterleaved
{
    /// <summary>The token ids.</summary>
    public int[] Ids { get; }
    /// <summary>The positions in <see cref="Ids"/> of the image tokens, in image order.</summary>
    public int[] ImagePositions { get; }
    /// <summary>The images in order: image n sits at <c>ImagePositions[n]</c>.</summary>
    public IReadOnlyList<RgbImage> Images { get; }
    /// <summary>For every token, the index into <see cref="Images"/> of the most recent image at or before it, or -1 if none.</summary>
    public int[] MostRecentImage { get; }
    /// <summary>For every token, whether predicting it counts in the loss (tokens of supervised text segments and the end id).</summary>
    public bool[] Supervised { get; }

    /// <summary>The tokens of a document, with the image indices worked out from where the image ids are.</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="imageId">The id of the image token.</param>
    /// <param name="images">The images; there must be exactly one per image token.</param>
    /// <param name="supervised">Per token, whether it carries loss; null: every token but the image tokens.</param>
    public TokenizedInterleaved(int[] ids, int imageId, IReadOnlyList<RgbImage> images, bool[]? supervised = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(images);
        var positions = new List<int>();
        var recent = new int[ids.Length];
        for (int t = 0; t < ids.Length; t++)
        {
            if (ids[t] == imageId) positions.Add(t);
            recent[t] = positions.Count - 1;
        }
        if (positions.Count != images.Count)
            throw new ArgumentException($"{positions.Count} image token(s) but {images.Count} image(s)", nameof(images));
        supervised ??= ids.Select(id => id != imageId).ToArray();
        if (supervised.Length != ids.Length)
            throw new ArgumentException($"{supervised.Length} supervision flags for {ids.Length} tokens", nameof(supervised));
        (Ids, ImagePositions, Images, MostRecentImage, Supervised) = (ids, [.. positions], [.. images], recent, supervised);
    }

    /// <summary>
    /// Tokenizes a document: each image segment becomes the tokenizer's image id, each text segment its ids.
    /// The tokenizer must have an image id (<see cref="WordTokenizer"/> and <see cref="Gpt2Tokenizer"/> do; CLIP's BPE does not).
    /// </summary>
    /// <param name="document">The document.</param>
    /// <param name="tokenizer">A tokenizer with <see cref="ITextTokenizer.ImageId"/>.</param>
    /// <param name="addBegin">Put the begin id first (it comes before any image: index -1).</param>
    /// <param name="addEnd">Put the end id last.</param>
    public static TokenizedInterleaved From(InterleavedDocument document, ITextTokenizer tokenizer, bool addBegin = false, bool addEnd = false)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(tokenizer);
        int imageId = tokenizer.ImageId ?? throw new ArgumentException(
            $"{tokenizer.GetType().Name} has no image token; interleaved documents need one (use a {nameof(WordTokenizer)} or a {nameof(Gpt2Tokenizer)})", nameof(tokenizer));
        var ids = new List<int>();
        var supervised = new List<bool>();
        if (addBegin) { ids.Add(tokenizer.BeginId); supervised.Add(false); }
        foreach (var segment in document.Segments)
        {
            if (segment is ImageSegment) { ids.Add(imageId); supervised.Add(false); continue; }
            var textSegment = (TextSegment)segment;
            var text = tokenizer.Encode(textSegment.Text);
            if (text.Contains(imageId))
                throw new ArgumentException($"a text segment contains the image token {SpecialTokens.Image}; images must be image segments: \"{textSegment.Text}\"", nameof(document));
            ids.AddRange(text);
            supervised.AddRange(Enumerable.Repeat(textSegment.Supervised, text.Length));
        }
        if (addEnd) { ids.Add(tokenizer.EndId); supervised.Add(true); }
        return new TokenizedInterleaved([.. ids], imageId, document.Images, [.. supervised]);
    }
}
