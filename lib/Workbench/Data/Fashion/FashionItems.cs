namespace Workbench.Data.Fashion;

/// <summary>
/// A set of square grey item images with their class labels: one split of Fashion-MNIST, or a small in-memory set
/// (for tests and for data you build yourself). A view, not a copy: the arrays are shared, never modified.
/// </summary>
public sealed class FashionItems
{
    readonly byte[] pixels;
    readonly byte[] labels;
    readonly int[]? sourceIndices;

    /// <summary>Items over the given arrays: item i is pixels[i*side*side ..] with label labels[i] (a class index).</summary>
    public FashionItems(byte[] pixels, byte[] labels, int side)
        : this(pixels, labels, side, sourceIndices: null, source: "in-memory items") { }

    internal FashionItems(byte[] pixels, byte[] labels, int side, int[]? sourceIndices, string source)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (side <= 0) throw new ArgumentOutOfRangeException(nameof(side), $"item side must be positive, got {side}");
        if ((long)labels.Length * side * side != pixels.Length)
            throw new ArgumentException($"{source}: {labels.Length} labels need {(long)labels.Length * side * side} pixels of {side}x{side}, got {pixels.Length}", nameof(pixels));
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= FashionClasses.Count)
                throw new ArgumentException($"{source}: label {labels[i]} of item {i} is not a class index (0..{FashionClasses.Count - 1})", nameof(labels));
        if (sourceIndices is not null && sourceIndices.Any(i => i < 0 || i >= labels.Length))
            throw new ArgumentException($"{source}: an item index lies outside 0..{labels.Length - 1}", nameof(sourceIndices));
        (this.pixels, this.labels, this.sourceIndices, Side, Source) = (pixels, labels, sourceIndices, side, source);
    }

    /// <summary>Where the items come from (a file, or "in-memory items").</summary>
    public string Source { get; }
    /// <summary>Width and height of each item in pixels (28 for Fashion-MNIST).</summary>
    public int Side { get; }
    /// <summary>Number of items.</summary>
    public int Count => sourceIndices?.Length ?? labels.Length;

    /// <summary>The class index of item i.</summary>
    public int Label(int i) => labels[SourceIndex(i)];

    /// <summary>The grey pixels of item i, row by row (0 is black, 255 white).</summary>
    public ReadOnlySpan<byte> Grey(int i) => pixels.AsSpan(SourceIndex(i) * Side * Side, Side * Side);

    /// <summary>The index of item i in the underlying arrays (for Fashion-MNIST: in the official file).</summary>
    public int SourceIndex(int i)
    {
        if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(i), $"item {i} is outside 0..{Count - 1}");
        return sourceIndices?[i] ?? i;
    }

    /// <summary>Item i as an RGB image with R = G = B.</summary>
    public RgbImage ToImage(int i)
    {
        var grey = Grey(i);
        var rgb = new byte[grey.Length * 3];
        for (int p = 0; p < grey.Length; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = grey[p];
        return new RgbImage(Side, Side, rgb);
    }
}
