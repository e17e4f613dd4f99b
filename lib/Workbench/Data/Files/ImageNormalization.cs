namespace Workbench.Data.Files;

/// <summary>
/// Per-channel normalisation applied after scaling bytes to [0, 1]: out = (v / 255 - Mean) / Std, channel by channel.
/// A model must be fed the normalisation it was trained with.
/// </summary>
/// <param name="Mean">Mean of R, G, B in [0, 1] units.</param>
/// <param name="Std">Standard deviation of R, G, B in [0, 1] units (must be positive).</param>
public sealed record ImageNormalization((float R, float G, float B) Mean, (float R, float G, float B) Std)
{
    /// <summary>OpenAI CLIP's statistics of its training images (Radford et al. 2021, released preprocessing).</summary>
    public static ImageNormalization Clip { get; } =
        new((0.48145466f, 0.4578275f, 0.40821073f), (0.26862954f, 0.26130258f, 0.27577711f));

    /// <summary>No centring: values stay in [0, 1].</summary>
    public static ImageNormalization Identity { get; } = new((0f, 0f, 0f), (1f, 1f, 1f));

    /// <summary>Mean 0.5, std 0.5: values in [-1, 1] (SigLIP and many ViT checkpoints).</summary>
    public static ImageNormalization Half { get; } = new((0.5f, 0.5f, 0.5f), (0.5f, 0.5f, 0.5f));

    /// <summary>The mean of channel 0 (R), 1 (G) or 2 (B).</summary>
    public float MeanOf(int channel) => channel switch
    {
        0 => Mean.R, 1 => Mean.G, 2 => Mean.B,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), $"RGB has channels 0..2, got {channel}"),
    };

    /// <summary>The standard deviation of channel 0 (R), 1 (G) or 2 (B).</summary>
    public float StdOf(int channel) => channel switch
    {
        0 => Std.R, 1 => Std.G, 2 => Std.B,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), $"RGB has channels 0..2, got {channel}"),
    };

    /// <summary>The normalised value of byte v in a channel: (v / 255 - mean) / std.</summary>
    public float Apply(int channel, byte v) => (v / 255f - MeanOf(channel)) / StdOf(channel);
}
