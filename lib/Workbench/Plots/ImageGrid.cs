using SixLabors.ImageSharp.PixelFormats;
using Workbench.Data;

namespace Workbench.Plots;

/// <summary>Lays images out in a grid, each tile with a short label drawn under it (e.g. its index).</summary>
public static class ImageGrid
{
    /// <summary>
    /// Draws the images enlarged by <paramref name="scale"/> (nearest neighbour) in rows of <paramref name="columns"/>,
    /// each with its label in a strip below, on a white background.
    /// </summary>
    public static RgbImage Compose(IReadOnlyList<RgbImage> images, IReadOnlyList<string> labels, int columns = 8, int scale = 3, int padding = 4)
    {
        if (images.Count == 0) throw new ArgumentException("no images to lay out", nameof(images));
        if (labels.Count != images.Count) throw new ArgumentException("one label per image", nameof(labels));
        int tileW = images.Max(i => i.Width) * scale, tileH = images.Max(i => i.Height) * scale;
        int labelH = PixelFont.Height + 4;
        columns = Math.Min(columns, images.Count);
        int rows = (images.Count + columns - 1) / columns;
        var canvas = new RgbImage(padding + columns * (tileW + padding), padding + rows * (tileH + labelH + padding));
        Array.Fill(canvas.Pixels, (byte)255);
        for (int n = 0; n < images.Count; n++)
        {
            int left = padding + n % columns * (tileW + padding), top = padding + n / columns * (tileH + labelH + padding);
            var image = images[n];
            for (int y = 0; y < image.Height * scale; y++)
            for (int x = 0; x < image.Width * scale; x++)
                canvas[left + x, top + y] = image[x / scale, y / scale];
            DrawText(canvas, labels[n], left, top + tileH + 2, new Rgb24(30, 30, 30), maxWidth: tileW);
        }
        return canvas;
    }

    /// <summary>Draws text with <see cref="PixelFont"/>, clipped to <paramref name="maxWidth"/> pixels.</summary>
    public static void DrawText(RgbImage canvas, string text, int left, int top, Rgb24 colour, int maxWidth = int.MaxValue)
    {
        for (int c = 0; c < text.Length; c++)
        {
            int x0 = left + c * (PixelFont.Width + 1);
            if (x0 + PixelFont.Width > left + maxWidth || x0 + PixelFont.Width > canvas.Width) break;
            for (int row = 0; row < PixelFont.Height; row++)
            for (int col = 0; col < PixelFont.Width; col++)
                if (PixelFont.IsSet(text[c], col, row) && top + row < canvas.Height)
                    canvas[x0 + col, top + row] = colour;
        }
    }
}
