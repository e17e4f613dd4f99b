using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;

namespace Workbench.Plots;

/// <summary>Images as inline HTML (PNG data URIs), enlarged without smoothing so 32x32 pixels stay crisp.</summary>
public static class ImageHtml
{
    /// <summary>An <c>&lt;img&gt;</c> tag holding the image, shown at least <paramref name="minWidth"/> pixels wide.</summary>
    public static string Tag(Image image, int minWidth = 160, string? title = null)
    {
        using var png = new MemoryStream();
        image.Save(png, new PngEncoder());
        int scale = Math.Max(1, (int)Math.Ceiling(minWidth / (double)image.Width));
        string alt = System.Net.WebUtility.HtmlEncode(title ?? $"{image.Width}x{image.Height} image");
        return $"<img alt=\"{alt}\" title=\"{alt}\" width=\"{image.Width * scale}\" height=\"{image.Height * scale}\" " +
               $"style=\"image-rendering: pixelated;\" src=\"data:image/png;base64,{Convert.ToBase64String(png.ToArray())}\"/>";
    }
}
