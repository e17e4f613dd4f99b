namespace Workbench.Data.Files;

/// <summary>
/// Limits checked before an image's pixels are decoded, against decompression bombs and crafted files: a PNG of a
/// few kilobytes can claim 100000 x 100000 pixels, which would ask for 30 GB. The pixel count comes from the header.
/// </summary>
/// <param name="MaxBytes">Largest file accepted, in bytes (default 64 MiB).</param>
/// <param name="MaxPixels">Largest width * height accepted (default 8192 x 8192, about 200 MB as RGB).</param>
public sealed record ImageDecodeLimits(long MaxBytes = 64L << 20, long MaxPixels = 8192L * 8192)
{
    /// <summary>The defaults: 64 MiB, 8192 x 8192 pixels.</summary>
    public static ImageDecodeLimits Default { get; } = new();
}
