using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;

namespace Workbench.Data.Files;

/// <summary>What an image file's header says, read without decoding the pixels.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Format">The format's name ("PNG", "JPEG", "GIF", "WEBP"...).</param>
/// <param name="Bytes">The file's size.</param>
public sealed record ImageHeader(int Width, int Height, string Format, long Bytes)
{
    /// <summary>Pixels the decoder will allocate for the frame: width * height.</summary>
    public long Pixels => (long)Width * Height;
}

/// <summary>
/// Decodes image files of any format ImageSharp 2 knows (PNG, JPEG, GIF, BMP, TGA, WebP, TIFF, PBM) into RGB,
/// first frame only, refusing files over the byte limit and headers that claim more pixels than the pixel limit
/// before any pixel memory is allocated. Every failure is an <see cref="ImageDecodeException"/> naming the file.
/// Thread-safe: one instance can serve parallel data loaders.
/// </summary>
/// <remarks>
/// ImageSharp 2.1 has no <c>DecoderOptions.MaxFrames</c> (that arrived in 3.0), so the GIF and TIFF decoders are
/// configured to decode their first frame only; PNG's APNG frames are not read by 2.1 at all, and animated WebP
/// is refused by 2.1 as unsupported (reported as <see cref="ImageProblem.Corrupt"/>).
/// EXIF orientation is not applied, as in PIL and hence in CLIP's reference preprocessing.
/// Alpha is dropped, not composited, like PIL's <c>convert("RGB")</c>.
/// </remarks>
public sealed class ImageDecoder
{
    readonly Configuration configuration;

    /// <summary>The limits this decoder enforces.</summary>
    public ImageDecodeLimits Limits { get; }

    /// <summary>A decoder with the default limits.</summary>
    public static ImageDecoder Default { get; } = new();

    /// <summary>A decoder with the given limits (the defaults when null).</summary>
    public ImageDecoder(ImageDecodeLimits? limits = null)
    {
        Limits = limits ?? ImageDecodeLimits.Default;
        if (Limits.MaxBytes <= 0 || Limits.MaxPixels <= 0)
            throw new ArgumentOutOfRangeException(nameof(limits), $"limits must be positive, got {Limits}");
        configuration = Configuration.Default.Clone();
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance,
            new GifDecoder { DecodingMode = FrameDecodingMode.First, MaxFrames = 1 });
        configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance,
            new TiffDecoder { DecodingMode = FrameDecodingMode.First });
    }

    /// <summary>The names of the formats this decoder reads.</summary>
    public IReadOnlyList<string> Formats => configuration.ImageFormats.Select(f => f.Name).OrderBy(n => n).ToList();

    /// <summary>Whether a file name has the extension of a format this decoder reads (<c>.png</c>, <c>.jpeg</c>, ...).</summary>
    public bool IsImageFileName(string path) =>
        configuration.ImageFormats.SelectMany(f => f.FileExtensions).Contains(Path.GetExtension(path).TrimStart('.'), StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads and checks the header only: existence, size, format and pixel count. Cheap; no pixels are decoded.</summary>
    public ImageHeader Identify(string path)
    {
        long length = CheckFile(path);
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, ImageProblem.Unreadable, $"cannot be read: {ex.Message}", ex);
        }
        using (stream) return CheckHeader(path, stream, length);
    }

    /// <summary>Decodes the first frame as RGB after checking the limits. The caller disposes the image.</summary>
    public Image<Rgb24> Decode(string path)
    {
        long length = CheckFile(path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, ImageProblem.Unreadable, $"cannot be read: {ex.Message}", ex);
        }
        // The file may have changed since it was measured; the bytes in hand are what counts.
        CheckLength(path, bytes.LongLength);

        using var stream = new MemoryStream(bytes, writable: false);
        var header = CheckHeader(path, stream, bytes.LongLength);
        stream.Position = 0;
        Image<Rgb24> image;
        try { image = Image.Load<Rgb24>(configuration, stream); }
        catch (Exception ex)
        {
            throw new ImageDecodeException(path, ImageProblem.Corrupt, $"damaged or unsupported {header.Format} data: {ex.Message}", ex);
        }
        if (image.Frames.Count == 1) return image;
        using (image) return image.Frames.CloneFrame(0);
    }

    /// <summary>Decodes the first frame into an <see cref="RgbImage"/> at its own size.</summary>
    public RgbImage DecodeRgb(string path)
    {
        using var image = Decode(path);
        return RgbImage.From(image);
    }

    long CheckFile(string path)
    {
        if (Directory.Exists(path)) throw new ImageDecodeException(path, ImageProblem.Missing, "is a folder, not an image file");
        var info = new FileInfo(path);
        if (!info.Exists) throw new ImageDecodeException(path, ImageProblem.Missing, "image file not found");
        CheckLength(path, info.Length);
        return info.Length;
    }

    void CheckLength(string path, long length)
    {
        if (length == 0) throw new ImageDecodeException(path, ImageProblem.Empty, "image file is empty (0 bytes)");
        if (length > Limits.MaxBytes)
            throw new ImageDecodeException(path, ImageProblem.TooManyBytes,
                $"image file is {length} bytes, over the limit of {Limits.MaxBytes} bytes");
    }

    ImageHeader CheckHeader(string path, Stream stream, long length)
    {
        IImageInfo? info;
        IImageFormat? format;
        try { info = Image.Identify(configuration, stream, out format); }
        catch (Exception ex)
        {
            throw new ImageDecodeException(path, ImageProblem.Corrupt, $"damaged or unsupported image header: {ex.Message}", ex);
        }
        if (info is null || format is null)
        {
            stream.Position = 0;
            Span<byte> first = stackalloc byte[8];
            int n = stream.Read(first);
            throw new ImageDecodeException(path, ImageProblem.UnknownFormat,
                $"not a recognised image format (first bytes {Convert.ToHexString(first[..n])}; readable formats: {string.Join(", ", Formats)})");
        }
        if (info.Width <= 0 || info.Height <= 0)
            throw new ImageDecodeException(path, ImageProblem.Corrupt, $"header claims an empty {info.Width}x{info.Height} image");

        var header = new ImageHeader(info.Width, info.Height, format.Name, length);
        if (header.Pixels > Limits.MaxPixels)
            throw new ImageDecodeException(path, ImageProblem.TooManyPixels,
                $"header claims {info.Width}x{info.Height} = {header.Pixels} pixels, over the limit of {Limits.MaxPixels} pixels");
        return header;
    }
}
