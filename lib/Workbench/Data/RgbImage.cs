using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Workbench.Data;

/// <summary>
/// An 8-bit RGB image as a plain row-major byte array (height x width x 3). The data pipeline's currency: cheap to
/// draw into, to hash, and to turn into tensors. Converts to and from ImageSharp for decoding, saving and display.
/// </summary>
public sealed class RgbImage
{
    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>Pixels, row by row, R G B per pixel: index (y * Width + x) * 3 + channel.</summary>
    public byte[] Pixels { get; }

    /// <summary>A black image, or one over the given pixels (length must be width * height * 3).</summary>
    public RgbImage(int width, int height, byte[]? pixels = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size must be positive, got {width}x{height}");
        pixels ??= new byte[width * height * 3];
        if (pixels.Length != width * height * 3)
            throw new ArgumentException($"expected {width * height * 3} bytes for {width}x{height} RGB, got {pixels.Length}", nameof(pixels));
        (Width, Height, Pixels) = (width, height, pixels);
    }

    /// <summary>The pixel at column x, row y.</summary>
    public Rgb24 this[int x, int y]
    {
        get { int i = (y * Width + x) * 3; return new Rgb24(Pixels[i], Pixels[i + 1], Pixels[i + 2]); }
        set { int i = (y * Width + x) * 3; Pixels[i] = value.R; Pixels[i + 1] = value.G; Pixels[i + 2] = value.B; }
    }

    /// <summary>A copy as an ImageSharp image (for saving, resizing and display).</summary>
    public Image<Rgb24> ToImage() => Image.LoadPixelData<Rgb24>(Pixels, Width, Height);

    /// <summary>A copy of an ImageSharp image.</summary>
    public static RgbImage From(Image<Rgb24> image)
    {
        var pixels = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(pixels);
        return new RgbImage(image.Width, image.Height, pixels);
    }
}
