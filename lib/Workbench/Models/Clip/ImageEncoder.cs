using TorchSharp;
using static TorchSharp.torch;

namespace Workbench.Models.Clip;

/// <summary>
/// An image tower for CLIP: maps images (B, C, H, W) to one feature vector per image (B, <see cref="OutputWidth"/>).
/// <see cref="ClipModel"/> projects these features into the shared embedding space.
/// </summary>
public abstract class ImageEncoder : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module with a name for TorchSharp.</summary>
    protected ImageEncoder(string name) : base(name) { }

    /// <summary>Width of the feature vector produced per image.</summary>
    public abstract int OutputWidth { get; }

    /// <summary>Throws a clear exception when <paramref name="images"/> is not (B, channels, size, size).</summary>
    protected void CheckImages(Tensor images, int channels, int? size)
    {
        bool ok = images.dim() == 4 && images.shape[1] == channels
                  && (size is null || (images.shape[2] == size && images.shape[3] == size));
        if (!ok)
        {
            string expected = size is null ? $"(B, {channels}, H, W)" : $"(B, {channels}, {size}, {size})";
            throw new ArgumentException(
                $"{GetType().Name} expects images shaped {expected}; got ({string.Join(", ", images.shape)}).");
        }
        if (!images.is_floating_point())
            throw new ArgumentException($"{GetType().Name} expects floating-point images; got {images.dtype}.");
    }
}
