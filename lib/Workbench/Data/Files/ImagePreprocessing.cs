using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Workbench.Data.Files;

/// <summary>
/// CLIP's image preprocessing (Radford et al. 2021): resize so the shorter side equals the model's size with bicubic
/// resampling, then cut the central size x size square; then scale to [0, 1] and normalise per channel into a
/// channel-first (CHW) float buffer. The arithmetic follows torchvision's <c>Resize(size)</c> and
/// <c>CenterCrop(size)</c>, so crops land on the same pixels as the Python reference.
/// </summary>
public static class ImagePreprocessing
{
    /// <summary>
    /// The size an image of width x height is resized to so that its shorter side is <paramref name="size"/>:
    /// the longer side becomes floor(size * long / short), as torchvision computes it.
    /// </summary>
    public static (int Width, int Height) ShorterSideSize(int width, int height, int size)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size must be positive, got {width}x{height}");
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), $"target size must be positive, got {size}");
        return width <= height
            ? (size, (int)((long)size * height / width))
            : ((int)((long)size * width / height), size);
    }

    /// <summary>
    /// The top-left corner of the central size x size square of a width x height image: round((w - size) / 2),
    /// rounding halves to even like Python's <c>round</c> in torchvision.
    /// </summary>
    public static (int Left, int Top) CenterCropOrigin(int width, int height, int size) =>
        ((int)Math.Round((width - size) / 2.0, MidpointRounding.ToEven),
         (int)Math.Round((height - size) / 2.0, MidpointRounding.ToEven));

    /// <summary>Resizes the shorter side to <paramref name="size"/> (bicubic) and centre-crops to size x size.</summary>
    public static RgbImage ResizeAndCenterCrop(Image<Rgb24> image, int size)
    {
        var (w, h) = ShorterSideSize(image.Width, image.Height, size);
        using var resized = w == image.Width && h == image.Height
            ? image.Clone()
            : image.Clone(c => c.Resize(w, h, KnownResamplers.Bicubic));
        var (left, top) = CenterCropOrigin(w, h, size);
        resized.Mutate(c => c.Crop(new Rectangle(left, top, size, size)));
        return RgbImage.From(resized);
    }

    /// <summary>Resizes the shorter side to <paramref name="size"/> (bicubic) and centre-crops to size x size.</summary>
    public static RgbImage ResizeAndCenterCrop(RgbImage image, int size)
    {
        using var source = image.ToImage();
        return ResizeAndCenterCrop(source, size);
    }

    /// <summary>
    /// Writes the image as normalised floats, channel-first: destination[c * H * W + y * W + x] =
    /// (pixel / 255 - mean[c]) / std[c]. The destination must hold exactly 3 * H * W floats.
    /// </summary>
    public static void WriteChw(RgbImage image, ImageNormalization normalization, Span<float> destination)
    {
        int plane = image.Width * image.Height;
        if (destination.Length != 3 * plane)
            throw new ArgumentException($"a {image.Width}x{image.Height} RGB image needs {3 * plane} floats, the span holds {destination.Length}", nameof(destination));
        for (int c = 0; c < 3; c++)
            if (!(normalization.StdOf(c) > 0f))
                throw new ArgumentException($"normalisation std must be positive, got {normalization.Std}", nameof(normalization));

        // One lookup table per channel: 768 divisions instead of three per pixel, and bit-identical to Apply.
        Span<float> table = stackalloc float[3 * 256];
        for (int c = 0; c < 3; c++)
            for (int v = 0; v < 256; v++)
                table[c * 256 + v] = normalization.Apply(c, (byte)v);

        byte[] pixels = image.Pixels;
        for (int i = 0; i < plane; i++)
        {
            destination[i] = table[pixels[3 * i]];
            destination[plane + i] = table[256 + pixels[3 * i + 1]];
            destination[2 * plane + i] = table[512 + pixels[3 * i + 2]];
        }
    }

    /// <summary>The image as a new array of normalised channel-first floats (see <see cref="WriteChw"/>).</summary>
    public static float[] ToChw(RgbImage image, ImageNormalization normalization)
    {
        var result = new float[3 * image.Width * image.Height];
        WriteChw(image, normalization, result);
        return result;
    }
}
