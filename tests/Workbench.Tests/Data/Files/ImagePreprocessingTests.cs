using SixLabors.ImageSharp.PixelFormats;
using Workbench.Data;
using Workbench.Data.Files;

namespace Workbench.Tests.Data.Files;

public sealed class ImagePreprocessingTests
{
    static readonly Rgb24 Red = new(255, 0, 0), Blue = new(0, 0, 255);

    /// <summary>Left half red, right half blue.</summary>
    static RgbImage Halves(int width, int height)
    {
        var image = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = x < width / 2 ? Red : Blue;
        return image;
    }

    [Theory]
    [InlineData(640, 480, 224, 298, 224)] // 224 * 640 / 480 = 298.67, floored
    [InlineData(333, 500, 224, 224, 336)] // 224 * 500 / 333 = 336.34
    [InlineData(40, 20, 10, 20, 10)]
    [InlineData(7, 7, 224, 224, 224)]     // small images are enlarged
    public void ShorterSideBecomesTheModelSizeAndTheLongerIsFloored(int w, int h, int size, int expectedW, int expectedH) =>
        Assert.Equal((expectedW, expectedH), ImagePreprocessing.ShorterSideSize(w, h, size));

    [Theory]
    [InlineData(20, 10, 10, 5, 0)]
    [InlineData(225, 224, 224, 0, 0)]  // (225 - 224) / 2 = 0.5 rounds to even: 0, as Python's round
    [InlineData(227, 224, 224, 2, 0)]  // 1.5 rounds to 2
    [InlineData(224, 298, 224, 0, 37)]
    public void CropOriginRoundsHalvesToEvenLikeTorchvision(int w, int h, int size, int left, int top) =>
        Assert.Equal((left, top), ImagePreprocessing.CenterCropOrigin(w, h, size));

    [Fact]
    public void WideImageIsResizedThenCroppedAroundItsCentre()
    {
        var result = ImagePreprocessing.ResizeAndCenterCrop(Halves(40, 20), 10);
        Assert.Equal((10, 10), (result.Width, result.Height));
        // Resized to 20x10 (red 0..9, blue 10..19), cropped to columns 5..14: the colour edge is at the centre.
        // Columns far from the edge are untouched by the bicubic kernel (radius 4 source pixels at scale 1/2).
        for (int y = 0; y < 10; y++)
        {
            for (int x = 0; x <= 2; x++) Assert.Equal(Red, result[x, y]);
            for (int x = 7; x <= 9; x++) Assert.Equal(Blue, result[x, y]);
        }
        // Centred means mirror-symmetric: column k's red is column (9 - k)'s blue.
        for (int x = 0; x < 10; x++)
        {
            Assert.Equal(result[x, 5].R, result[9 - x, 5].B);
            Assert.True(result[x, 5].R > result[x, 5].B == x < 5, $"column {x} is on the wrong side of the edge");
        }
    }

    [Fact]
    public void ImageWhoseShorterSideFitsIsOnlyCroppedToItsCentralColumns()
    {
        var image = new RgbImage(40, 20);
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 40; x++)
                image[x, y] = new Rgb24((byte)x, (byte)(100 + y), 7);
        var result = ImagePreprocessing.ResizeAndCenterCrop(image, 20);
        Assert.Equal((20, 20), (result.Width, result.Height));
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 20; x++)
                Assert.Equal(new Rgb24((byte)(x + 10), (byte)(100 + y), 7), result[x, y]);
    }

    [Fact]
    public void TallImageIsCroppedToItsCentralRows()
    {
        var image = new RgbImage(4, 10);
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 4; x++)
                image[x, y] = new Rgb24(0, (byte)y, 0);
        var result = ImagePreprocessing.ResizeAndCenterCrop(image, 4);
        Assert.Equal((4, 4), (result.Width, result.Height));
        for (int y = 0; y < 4; y++) Assert.Equal(y + 3, result[1, y].G);
    }

    [Fact]
    public void ClipNormalisationMatchesValuesWorkedByHand()
    {
        var image = new RgbImage(2, 1);
        image[0, 0] = new Rgb24(255, 128, 0);
        image[1, 0] = new Rgb24(64, 0, 0);
        float[] chw = ImagePreprocessing.ToChw(image, ImageNormalization.Clip);
        // Layout: [R(0,0), R(1,0), G(0,0), G(1,0), B(0,0), B(1,0)].
        // (1 - 0.48145466) / 0.26862954 = 1.930336; (128/255 - 0.4578275) / 0.26130258 = 0.168897;
        // (0 - 0.40821073) / 0.27577711 = -1.480220; (64/255 - 0.48145466) / 0.26862954 = -0.857963.
        Assert.Equal(1.930336f, chw[0], 5);
        Assert.Equal(-0.857963f, chw[1], 5);
        Assert.Equal(0.168897f, chw[2], 5);
        Assert.Equal((0 - 0.4578275f) / 0.26130258f, chw[3], 5);
        Assert.Equal(-1.480220f, chw[4], 5);
        Assert.Equal(-1.480220f, chw[5], 5);
    }

    [Fact]
    public void IdentityAndHalfNormalisationsMapBytesToUnitRanges()
    {
        var image = new RgbImage(1, 1);
        image[0, 0] = new Rgb24(0, 51, 255);
        Assert.Equal([0f, 0.2f, 1f], ImagePreprocessing.ToChw(image, ImageNormalization.Identity), new FloatTolerance(1e-6f));
        Assert.Equal([-1f, -0.6f, 1f], ImagePreprocessing.ToChw(image, ImageNormalization.Half), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void WriteChwRejectsASpanOfTheWrongLength()
    {
        var ex = Assert.Throws<ArgumentException>(() => ImagePreprocessing.WriteChw(new RgbImage(2, 2), ImageNormalization.Clip, new float[11]));
        Assert.Contains("12 floats", ex.Message);
    }

    sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float value) => 0;
    }
}
