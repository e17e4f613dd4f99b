namespace Workbench.Data.Fashion;

/// <summary>
/// The tints of <see cref="FashionScenes"/>: eight colours with clearly different hues, bright enough to stand out
/// from the dark background, so that "red" and "orange" stay apart even in a 28x28 grey product photo.
/// </summary>
public static class FashionPalette
{
    /// <summary>The colours, in a fixed order.</summary>
    public static readonly IReadOnlyList<NamedColor> Colors =
    [
        new("red", 230, 40, 40),
        new("green", 40, 200, 60),
        new("blue", 50, 90, 240),
        new("yellow", 240, 220, 40),
        new("orange", 250, 140, 20),
        new("purple", 150, 60, 210),
        new("pink", 250, 120, 190),
        new("white", 245, 245, 245),
    ];

    /// <summary>The colour of a name.</summary>
    public static NamedColor Get(string name) =>
        Colors.FirstOrDefault(c => c.Name == name) is { Name: not null } colour ? colour : throw new ArgumentException($"no colour named \"{name}\" (have {string.Join(", ", Colors.Select(c => c.Name))})", nameof(name));
}
