using System.Text;
using Workbench.Text;

namespace Workbench.Data.Interleaved;

/// <summary>
/// Images and text in one ordered sequence, the input of Flamingo (Alayrac et al. 2022): for example
/// "&lt;image&gt; a red circle at the top left. &lt;eoc&gt; &lt;image&gt; a small blue square... &lt;eoc&gt;".
/// Each text chunk describes the image before it and ends with <see cref="SpecialTokens.EndOfChunk"/>.
/// Image segments appear in the order of <see cref="Images"/>: the n-th image segment shows image n.
/// </summary>
public sealed class InterleavedDocument
{
    /// <summary>The segments in order.</summary>
    public IReadOnlyList<InterleavedSegment> Segments { get; }
    /// <summary>The images in the order they appear.</summary>
    public IReadOnlyList<RgbImage> Images { get; }
    /// <summary>Where each image came from (sample ids), same order as <see cref="Images"/>; empty strings when unknown.</summary>
    public IReadOnlyList<string> ImageSources { get; }

    /// <summary>A document over segments and images; the n-th image segment must reference image n, and every image must appear once.</summary>
    public InterleavedDocument(IReadOnlyList<InterleavedSegment> segments, IReadOnlyList<RgbImage> images, IReadOnlyList<string>? imageSources = null)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(images);
        int next = 0;
        foreach (var segment in segments)
        {
            switch (segment)
            {
                case ImageSegment image when image.ImageIndex != next:
                    throw new ArgumentException($"image segment {next} references image {image.ImageIndex}: images must appear in list order", nameof(segments));
                case ImageSegment:
                    next++;
                    break;
                case TextSegment text:
                    ArgumentNullException.ThrowIfNull(text.Text, nameof(segments));
                    break;
                default:
                    throw new ArgumentException("a segment is null", nameof(segments));
            }
        }
        if (next != images.Count)
            throw new ArgumentException($"the segments show {next} image(s) but {images.Count} were given", nameof(images));
        imageSources ??= Enumerable.Repeat("", images.Count).ToArray();
        if (imageSources.Count != images.Count)
            throw new ArgumentException($"{imageSources.Count} image sources for {images.Count} images", nameof(imageSources));
        (Segments, Images, ImageSources) = ([.. segments], [.. images], [.. imageSources]);
    }

    /// <summary>
    /// A document written as text: each <see cref="SpecialTokens.Image"/> becomes the next image of <paramref name="images"/>;
    /// the text between markers (trimmed; empty pieces dropped) becomes text segments.
    /// </summary>
    public static InterleavedDocument Parse(string text, IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(images);
        var pieces = text.Split(SpecialTokens.Image);
        if (pieces.Length - 1 != images.Count)
            throw new ArgumentException($"the text has {pieces.Length - 1} {SpecialTokens.Image} marker(s) but {images.Count} image(s) were given", nameof(images));
        var segments = new List<InterleavedSegment>();
        for (int i = 0; i < pieces.Length; i++)
        {
            if (i > 0) segments.Add(new ImageSegment(i - 1));
            if (pieces[i].Trim() is { Length: > 0 } piece) segments.Add(new TextSegment(piece));
        }
        return new InterleavedDocument(segments, images);
    }

    /// <summary>The document as text, images as <see cref="SpecialTokens.Image"/>, segments separated by spaces.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        foreach (var segment in Segments)
        {
            if (text.Length > 0) text.Append(' ');
            text.Append(segment switch { ImageSegment => SpecialTokens.Image, TextSegment t => t.Text, _ => "" });
        }
        return text.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ToText();
}
