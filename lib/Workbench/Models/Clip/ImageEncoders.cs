namespace Workbench.Models.Clip;

/// <summary>
/// Builds the image encoder named by <see cref="ClipConfig.ImageEncoder"/>, the way LLaVA's
/// <c>build_vision_projector</c> picks a module by name: add an entry here to make a new encoder selectable.
/// </summary>
public static class ImageEncoders
{
    /// <summary>Name of the <see cref="VisionTransformer"/>.</summary>
    public const string Vit = "vit";

    /// <summary>Name of the <see cref="ConvImageEncoder"/>.</summary>
    public const string Cnn = "cnn";

    static readonly Dictionary<string, Func<ClipConfig, ImageEncoder>> Builders = new(StringComparer.OrdinalIgnoreCase)
    {
        [Vit] = config => new VisionTransformer(config.Vision),
        [Cnn] = config => new ConvImageEncoder(config.Conv),
    };

    /// <summary>The names that <see cref="Build"/> accepts.</summary>
    public static IReadOnlyCollection<string> Names => Builders.Keys;

    /// <summary>Builds the encoder that <paramref name="config"/> names, with fresh weights.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static ImageEncoder Build(ClipConfig config) =>
        Builders.TryGetValue(config.ImageEncoder, out var build)
            ? build(config)
            : throw new ArgumentException(
                $"Unknown image encoder '{config.ImageEncoder}'; choose one of: {string.Join(", ", Names)}.");
}
