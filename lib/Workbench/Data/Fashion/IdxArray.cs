namespace Workbench.Data.Fashion;

/// <summary>The contents of one IDX file of unsigned bytes: its dimensions and its payload in row-major order.</summary>
/// <param name="Path">The file it was read from (for error messages further down the line).</param>
/// <param name="Dimensions">The sizes, outermost first: (count, rows, columns) for images, (count) for labels.</param>
/// <param name="Data">The payload; its length is the product of the dimensions.</param>
public sealed record IdxArray(string Path, IReadOnlyList<int> Dimensions, byte[] Data)
{
    /// <summary>The size of the first dimension: the number of images or labels.</summary>
    public int Count => Dimensions[0];
}
