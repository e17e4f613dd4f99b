using SixLabors.ImageSharp.PixelFormats;
using Workbench.Data;
using Workbench.Plots;

namespace Workbench.Tests.Plots;

public sealed class ImageGridTests
{
    static RgbImage Solid(byte r, byte g, byte b)
    {
        var image = new RgbImage(2, 2);
        for (int y = 0; y < 2; y++) for (int x = 0; x < 2; x++) image[x, y] = new Rgb24(r, g, b);
        return image;
    }

    [Fact]
    public void TilesAreEnlargedCopiesAndLabelsAreDrawnBelowThem()
    {
        var grid = ImageGrid.Compose([Solid(255, 0, 0), Solid(0, 0, 255)], ["1", "7"], columns: 2, scale: 3, padding: 4);

        // Tile 0 spans x 4..9, y 4..9; tile 1 starts at x = 4 + 6 + 4 = 14.
        Assert.Equal(new Rgb24(255, 0, 0), grid[4, 4]);
        Assert.Equal(new Rgb24(255, 0, 0), grid[9, 9]);
        Assert.Equal(new Rgb24(0, 0, 255), grid[14, 4]);
        Assert.Equal(new Rgb24(255, 255, 255), grid[11, 5]); // the gap between tiles

        // Label "1" starts at (4, 4 + 6 + 2): its top row is 0x04 -> only column 2 set.
        int top = 12;
        Assert.NotEqual(new Rgb24(255, 255, 255), grid[4 + 2, top]);
        Assert.Equal(new Rgb24(255, 255, 255), grid[4 + 0, top]);
        // "7" starts with a full top bar (0x1F).
        Assert.All(Enumerable.Range(0, 5), c => Assert.NotEqual(new Rgb24(255, 255, 255), grid[14 + c, top]));
    }

    [Fact]
    public void FontCoversDigitsAndLettersAndMeasuresText()
    {
        foreach (var c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            Assert.True(Enumerable.Range(0, PixelFont.Height).Any(r => Enumerable.Range(0, PixelFont.Width).Any(col => PixelFont.IsSet(c, col, r))), $"glyph {c}");
        Assert.Equal(PixelFont.IsSet('A', 0, 3), PixelFont.IsSet('a', 0, 3));
        Assert.Equal(5 * 3 + 2, PixelFont.Measure("abc"));
    }
}
