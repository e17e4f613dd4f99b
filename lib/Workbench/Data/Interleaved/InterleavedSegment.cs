namespace Workbench.Data.Interleaved;

/// <summary>One piece of an <see cref="InterleavedDocument"/>: either text or an image.</summary>
public abstract record InterleavedSegment
{
    // Only the two kinds below exist: code that walks segments can rely on it.
    private protected InterleavedSegment() { }
}

/// <summary>A run of text; may contain the end-of-chunk marker <c>&lt;eoc&gt;</c>, which tokenizers that have it map to its id.</summary>
/// <param name="Text">The text.</param>
/// <param name="Supervised">Whether a model learns to produce this text (an answer, a caption: it carries loss) or is given
/// it (a question, a format word).</param>
public sealed record TextSegment(string Text, bool Supervised = true) : InterleavedSegment;

/// <summary>An image, by its index into the document's <see cref="InterleavedDocument.Images"/>.</summary>
/// <param name="ImageIndex">Position in the document's image list; the n-th image segment has index n.</param>
public sealed record ImageSegment(int ImageIndex) : InterleavedSegment;
