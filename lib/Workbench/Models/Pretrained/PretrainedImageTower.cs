using TorchSharp;
using Workbench.Data.Files;
using Workbench.Models.Clip;
using static TorchSharp.torch;

namespace Workbench.Models.Pretrained;

/// <summary>
/// A pretrained CLIP image tower (ViT-B/32 reads 224×224 images normalised with CLIP's statistics) that takes the
/// workbench's images as they are: any size, normalised as the caller says (the workbench's
/// towers train on <see cref="ImageNormalization.Half"/>). It re-normalises to CLIP's statistics and resizes bicubically
/// to the tower's size before every call, so LLaVA, Flamingo and their feature cache use it like their own towers.
/// (Bicubic resizing is linear, so normalising before or after it gives the same pixels.)
/// </summary>
public sealed class PretrainedImageTower : ImageEncoder
{
    readonly ImageEncoder tower;
    readonly float[] scale;
    readonly float[] shift;

    /// <summary>Wraps <paramref name="tower"/>, which reads <paramref name="imageSize"/>-pixel images normalised with CLIP's statistics.</summary>
    public PretrainedImageTower(ImageEncoder tower, int imageSize, ImageNormalization inputNormalization) : base(nameof(PretrainedImageTower))
    {
        this.tower = tower;
        ImageSize = imageSize;
        // pixel = x·std_in + mean_in; CLIP wants (pixel − mean) / std = x·(std_in/std) + (mean_in − mean)/std.
        var clip = ImageNormalization.Clip;
        scale = [.. Enumerable.Range(0, 3).Select(c => inputNormalization.StdOf(c) / clip.StdOf(c))];
        shift = [.. Enumerable.Range(0, 3).Select(c => (inputNormalization.MeanOf(c) - clip.MeanOf(c)) / clip.StdOf(c))];
        register_module("tower", tower);
    }

    /// <summary>The loaded checkpoint's image tower wrapped for the workbench's images.</summary>
    public static PretrainedImageTower FromCheckpoint(string checkpoint, ImageNormalization inputNormalization)
    {
        var clip = ClipCheckpoint.Load(checkpoint);
        return new PretrainedImageTower(clip.ImageEncoder, clip.Config.Vision.ImageSize, inputNormalization);
    }

    /// <summary>Side of the square images the wrapped tower reads.</summary>
    public int ImageSize { get; }

    /// <inheritdoc />
    public override int OutputWidth => tower.OutputWidth;
    /// <inheritdoc />
    public override int TokenWidth => tower.TokenWidth;
    /// <inheritdoc />
    public override int DefaultTokenLayer => tower.DefaultTokenLayer;
    /// <inheritdoc />
    public override int TokenCount(int layer) => tower.TokenCount(layer);

    /// <inheritdoc />
    public override Tensor forward(Tensor images)
    {
        using var prepared = Prepare(images);
        return tower.forward(prepared);
    }

    /// <inheritdoc />
    public override Tensor Tokens(Tensor images, int layer)
    {
        using var prepared = Prepare(images);
        return tower.Tokens(prepared, layer);
    }

    /// <summary>The images in CLIP's normalisation at the tower's size.</summary>
    Tensor Prepare(Tensor images)
    {
        CheckImages(images, 3, null);
        using var scope = NewDisposeScope();
        var clip = images * tensor(scale, [1, 3, 1, 1], images.dtype, images.device) + tensor(shift, [1, 3, 1, 1], images.dtype, images.device);
        if (images.shape[2] != ImageSize || images.shape[3] != ImageSize)
            clip = nn.functional.interpolate(clip, [ImageSize, ImageSize], mode: InterpolationMode.Bicubic, align_corners: false);
        return clip.MoveToOuterDisposeScope();
    }
}
