using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Workbench.Data;

namespace Workbench.Tests.Data.Files;

/// <summary>A temporary folder of small real image files and caption files, deleted on dispose.</summary>
public sealed class SampleFilesFolder : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "wb-files-" + Guid.NewGuid().ToString("N"));

    public SampleFilesFolder() => Directory.CreateDirectory(Root);

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public string WriteText(string relative, string text)
    {
        string path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string WriteBytes(string relative, byte[] bytes)
    {
        string path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Saves an image; the format follows the extension (.png, .jpg, .gif, .bmp...).</summary>
    public string WriteImage(string relative, RgbImage image)
    {
        string path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var img = image.ToImage();
        img.Save(path);
        return path;
    }

    /// <summary>A width x height image of one colour.</summary>
    public static RgbImage Solid(int width, int height, Rgb24 color)
    {
        var image = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = color;
        return image;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>PNG chunk surgery for crafted files: CRC-32 (ISO 3309, as PNG specifies) written here from the spec.</summary>
public static class PngSurgery
{
    static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in bytes) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    // Signature (8 bytes), then IHDR: length (4), type (4), width (4), height (4), 5 more bytes, CRC (4).
    const int IhdrType = 12, IhdrWidth = 16, IhdrHeight = 20, IhdrCrc = 29;

    /// <summary>The CRC stored after IHDR.</summary>
    public static uint StoredIhdrCrc(byte[] png) => BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(IhdrCrc));

    /// <summary>The CRC of IHDR's type and data, as a decoder checks it.</summary>
    public static uint ComputedIhdrCrc(byte[] png) => Crc32(png.AsSpan(IhdrType, 4 + 13));

    /// <summary>A copy of a PNG whose IHDR claims another size, with its CRC recomputed so the header is valid.</summary>
    public static byte[] WithClaimedSize(byte[] png, int width, int height)
    {
        if (!png.AsSpan(IhdrType, 4).SequenceEqual("IHDR"u8)) throw new ArgumentException("IHDR is not the first chunk");
        var patched = (byte[])png.Clone();
        BinaryPrimitives.WriteInt32BigEndian(patched.AsSpan(IhdrWidth), width);
        BinaryPrimitives.WriteInt32BigEndian(patched.AsSpan(IhdrHeight), height);
        BinaryPrimitives.WriteUInt32BigEndian(patched.AsSpan(IhdrCrc), ComputedIhdrCrc(patched));
        return patched;
    }

    /// <summary>A small real PNG, encoded by ImageSharp.</summary>
    public static byte[] SmallPng(int width = 4, int height = 4)
    {
        using var image = SampleFilesFolder.Solid(width, height, new Rgb24(10, 200, 30)).ToImage();
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }
}
