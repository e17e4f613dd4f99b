using TorchSharp;
using static TorchSharp.torch;

namespace Workbench.Models.Clip;

/// <summary>
/// An image tower: maps images (B, C, H, W) to one feature vector per image (B, <see cref="OutputWidth"/>), which
/// <see cref="ClipModel"/> projects into the shared embedding space, and to a grid of per-region tokens
/// (B, N, <see cref="TokenWidth"/>) that LLaVA's projector and Flamingo's resampler read.
/// </summary>
public abstract class ImageEncoder : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module with a name for TorchSharp.</summary>
    protected ImageEncoder(string name) : base(name) { }

    /// <summary>Width of the feature vector produced per image.</summary>
    public abstract int OutputWidth { get; }

    /// <summary>Width of each token <see cref="Tokens"/> returns.</summary>
    public abstract int TokenWidth { get; }

    /// <summary>The layer whose tokens a vision-language model reads unless told otherwise.</summary>
    public abstract int DefaultTokenLayer { get; }

    /// <summary>Tokens per image that <see cref="Tokens"/> returns for <paramref name="layer"/>.</summary>
    public abstract int TokenCount(int layer);

    /// <summary>
    /// Per-region tokens (B, N, <see cref="TokenWidth"/>) from layer <paramref name="layer"/> (negative: from the end),
    /// without any class token: for a Vision Transformer, the patch tokens of a block's output; for a CNN, the cells of a
    /// block's feature map, row by row.
    /// </summary>
    public abstract Tensor Tokens(Tensor images, int layer);

    /// <summary>
    /// What a frozen tower hands a vision-language model: the tokens of <paramref name="layer"/> (B, N, <see cref="TokenWidth"/>),
    /// or with null the pooled feature as one token (B, 1, <see cref="OutputWidth"/>); computed in eval mode without gradients
    /// (the tower's mode is restored afterwards).
    /// </summary>
    public Tensor FrozenFeatures(Tensor images, int? layer)
    {
        using var noGrad = no_grad();
        bool wasTraining = training;
        eval();
        try
        {
            if (layer is int l) return Tokens(images, l);
            using var pooled = forward(images);
            return pooled.unsqueeze(1);
        }
        finally
        {
            if (wasTraining) train();
        }
    }

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
