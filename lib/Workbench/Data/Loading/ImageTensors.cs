using TorchSharp;
using Workbench.Data.Files;
using static TorchSharp.torch;

namespace Workbench.Data.Loading;

/// <summary>Samples' images as one normalised (B, 3, H, W) tensor, for evaluation and feature extraction.</summary>
public static class ImageTensors
{
    /// <summary>The images of <paramref name="indices"/> in <paramref name="data"/> (all the same size), normalised, on <paramref name="device"/>.</summary>
    public static Tensor Of(IImageTextDataset data, IReadOnlyList<int> indices, ImageNormalization normalization, Device device) =>
        Of(indices.Select(i => data.Get(i).Image).ToList(), normalization, device);

    /// <summary>Images (all the same size) as a normalised (B, 3, H, W) tensor on <paramref name="device"/>.</summary>
    public static Tensor Of(IReadOnlyList<RgbImage> images, ImageNormalization normalization, Device device)
    {
        if (images.Count == 0) throw new ArgumentException("No images to convert.");
        int height = images[0].Height, width = images[0].Width;
        var pixels = new float[images.Count * 3 * height * width];
        for (int i = 0; i < images.Count; i++)
        {
            if (images[i].Height != height || images[i].Width != width)
                throw new ArgumentException($"Images of one batch must share a size: {images[i].Width}x{images[i].Height} after {width}x{height}.");
            ImagePreprocessing.WriteChw(images[i], normalization, pixels.AsSpan(i * 3 * height * width, 3 * height * width));
        }
        return tensor(pixels, [images.Count, 3, height, width]).to(device);
    }
}
