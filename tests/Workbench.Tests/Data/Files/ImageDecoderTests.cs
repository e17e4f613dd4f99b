using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Workbench.Data;
using Workbench.Data.Files;

namespace Workbench.Tests.Data.Files;

public sealed class ImageDecoderTests : IDisposable
{
    readonly SampleFilesFolder folder = new();

    public void Dispose() => folder.Dispose();

    static RgbImage Quadrants()
    {
        var image = new RgbImage(6, 4);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 6; x++)
                image[x, y] = new Rgb24((byte)(x * 40), (byte)(y * 60), (byte)(x < 3 ? 255 : 0));
        return image;
    }

    [Fact]
    public void PngDecodesToExactlyThePixelsWritten()
    {
        var original = Quadrants();
        string path = folder.WriteImage("a.png", original);
        var decoded = ImageDecoder.Default.DecodeRgb(path);
        Assert.Equal((6, 4), (decoded.Width, decoded.Height));
        Assert.Equal(original.Pixels, decoded.Pixels);
    }

    [Fact]
    public void JpegDecodesToItsSizeAndColour()
    {
        string path = folder.WriteImage("b.jpg", SampleFilesFolder.Solid(16, 8, new Rgb24(200, 40, 90)));
        var decoded = ImageDecoder.Default.DecodeRgb(path);
        Assert.Equal((16, 8), (decoded.Width, decoded.Height));
        var p = decoded[8, 4];
        // JPEG is lossy: a flat colour comes back within a few levels.
        Assert.InRange(p.R, 195, 205);
        Assert.InRange(p.G, 35, 45);
        Assert.InRange(p.B, 85, 95);
    }

    [Fact]
    public void IdentifyReadsTheHeaderWithoutDecoding()
    {
        string path = folder.WriteImage("c.bmp", Quadrants());
        var header = ImageDecoder.Default.Identify(path);
        Assert.Equal((6, 4, "BMP", 24L), (header.Width, header.Height, header.Format, header.Pixels));
        Assert.Equal(new FileInfo(path).Length, header.Bytes);
    }

    [Fact]
    public void OnlyTheFirstFrameOfAnAnimatedGifIsDecoded()
    {
        using var gif = new Image<Rgb24>(8, 8, new Rgb24(255, 0, 0));
        using (var blue = new Image<Rgb24>(8, 8, new Rgb24(0, 0, 255))) gif.Frames.AddFrame(blue.Frames.RootFrame);
        Assert.Equal(2, gif.Frames.Count);
        string path = folder.PathOf("anim.gif");
        gif.SaveAsGif(path);

        using var decoded = ImageDecoder.Default.Decode(path);
        Assert.Single(decoded.Frames);
        Assert.Equal(new Rgb24(255, 0, 0), decoded[4, 4]);
    }

    [Fact]
    public void AnimatedWebpIsRefusedAsUnsupportedRatherThanDecodingEveryFrame()
    {
        // RIFF "WEBP" with a VP8X header (animation flag, 100x100 canvas), ANIM, and ten ANMF frames.
        static byte[] Chunk(string fourcc, byte[] data) =>
            [.. System.Text.Encoding.ASCII.GetBytes(fourcc), .. BitConverter.GetBytes((uint)data.Length), .. data];
        byte[] vp8x = [0x02, 0, 0, 0, 99, 0, 0, 99, 0, 0];
        byte[] body = [.. "WEBP"u8, .. Chunk("VP8X", vp8x), .. Chunk("ANIM", new byte[6]),
            .. Enumerable.Range(0, 10).SelectMany(_ => Chunk("ANMF", new byte[16]))];
        string path = folder.WriteBytes("anim.webp", [.. "RIFF"u8, .. BitConverter.GetBytes((uint)body.Length), .. body]);

        var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Default.Decode(path));
        Assert.Equal(ImageProblem.Corrupt, ex.Problem);
        Assert.Contains(path, ex.Message);
        Assert.Contains("unsupported", ex.Message);
    }

    [Fact]
    public void MissingFileIsReportedAsMissingNamingTheFile()
    {
        string path = folder.PathOf("nowhere.png");
        var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Default.Decode(path));
        Assert.Equal(ImageProblem.Missing, ex.Problem);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void EmptyFileIsReportedAsEmpty()
    {
        string path = folder.WriteBytes("empty.png", []);
        var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Default.Identify(path));
        Assert.Equal(ImageProblem.Empty, ex.Problem);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void GarbageBytesNamedPngAreNotARecognisedFormat()
    {
        string path = folder.WriteBytes("garbage.png", Enumerable.Range(0, 300).Select(i => (byte)(i * 7 + 3)).ToArray());
        var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Default.Decode(path));
        Assert.Equal(ImageProblem.UnknownFormat, ex.Problem);
        Assert.Contains(path, ex.Message);
        Assert.Contains("not a recognised image format", ex.Message);
    }

    [Fact]
    public void TruncatedPixelDataPassesTheHeaderCheckButFailsDecodingAsCorrupt()
    {
        byte[] png = PngSurgery.SmallPng(64, 64);
        // Keep the signature and IHDR (33 bytes) and a few bytes of what follows: the header is sound, the data is not.
        string path = folder.WriteBytes("truncated.png", png[..45]);
        var header = ImageDecoder.Default.Identify(path);
        Assert.Equal((64, 64), (header.Width, header.Height));
        var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Default.Decode(path));
        Assert.Equal(ImageProblem.Corrupt, ex.Problem);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void CraftedHeaderPatchingIsValidPng()
    {
        // The surgery must produce headers a decoder accepts, or the bomb test below would prove nothing.
        byte[] png = PngSurgery.SmallPng();
        Assert.Equal(PngSurgery.StoredIhdrCrc(png), PngSurgery.ComputedIhdrCrc(png));
        string path = folder.WriteBytes("claims-100.png", PngSurgery.WithClaimedSize(png, 100, 50));
        var header = ImageDecoder.Default.Identify(path);
        Assert.Equal((100, 50), (header.Width, header.Height));
    }

    [Fact]
    public void DecompressionBombIsRejectedFromItsHeaderBeforeDecoding()
    {
        byte[] bomb = PngSurgery.WithClaimedSize(PngSurgery.SmallPng(), 100000, 100000);
        Assert.True(bomb.Length < 200, $"the crafted file is {bomb.Length} bytes");
        string path = folder.WriteBytes("bomb.png", bomb);

        foreach (var attempt in new Action[] { () => ImageDecoder.Default.Identify(path), () => ImageDecoder.Default.Decode(path).Dispose() })
        {
            var ex = Assert.Throws<ImageDecodeException>(attempt);
            Assert.Equal(ImageProblem.TooManyPixels, ex.Problem);
            Assert.Contains(path, ex.Message);
            Assert.Contains("100000x100000", ex.Message);
            Assert.Contains("10000000000 pixels", ex.Message);
        }
    }

    [Fact]
    public void PixelLimitIsInclusive()
    {
        string path = folder.WriteImage("ten.png", SampleFilesFolder.Solid(5, 2, new Rgb24(1, 2, 3)));
        Assert.Equal(10, new ImageDecoder(new ImageDecodeLimits(MaxPixels: 10)).Identify(path).Pixels);
        var ex = Assert.Throws<ImageDecodeException>(() => new ImageDecoder(new ImageDecodeLimits(MaxPixels: 9)).Decode(path));
        Assert.Equal(ImageProblem.TooManyPixels, ex.Problem);
    }

    [Fact]
    public void FileOverTheByteLimitIsRejectedBeforeReading()
    {
        string path = folder.WriteImage("big.png", Quadrants());
        long length = new FileInfo(path).Length;
        var decoder = new ImageDecoder(new ImageDecodeLimits(MaxBytes: length - 1));
        var ex = Assert.Throws<ImageDecodeException>(() => decoder.Decode(path));
        Assert.Equal(ImageProblem.TooManyBytes, ex.Problem);
        Assert.Contains(path, ex.Message);
        Assert.Contains($"{length} bytes", ex.Message);
        Assert.Equal(6, new ImageDecoder(new ImageDecodeLimits(MaxBytes: length)).DecodeRgb(path).Width);
    }
}
