namespace Workbench.Data.Shapes;

/// <summary>The shapes ShapesWorld draws.</summary>
public enum ShapeKind
{
    /// <summary>A disc.</summary>
    Circle,
    /// <summary>An axis-aligned square.</summary>
    Square,
    /// <summary>An upward-pointing isosceles triangle.</summary>
    Triangle,
    /// <summary>A square standing on a corner.</summary>
    Diamond,
    /// <summary>A plus sign with thick arms.</summary>
    Cross,
}

/// <summary>
/// ShapesWorld's vocabulary: shapes, colours, sizes and the nine places of the 3x3 grid. The order of each list is part
/// of the data set's definition (the split of scenes into train, validation and test hashes indices into these lists),
/// so append rather than reorder.
/// </summary>
public static class Palette
{
    /// <summary>Every shape, in a fixed order.</summary>
    public static IReadOnlyList<ShapeKind> Shapes { get; } = Enum.GetValues<ShapeKind>();

    private static readonly string[] ShapeNames = ["circle", "square", "triangle", "diamond", "cross"];
    private static readonly string[] ShapePlurals = ["circles", "squares", "triangles", "diamonds", "crosses"];

    /// <summary>The shape's word ("circle").</summary>
    public static string NameOf(ShapeKind shape) => ShapeNames[(int)shape];

    /// <summary>The shape's plural ("crosses").</summary>
    public static string PluralOf(ShapeKind shape) => ShapePlurals[(int)shape];

    /// <summary>The shape named by a word, or null when no shape has that name.</summary>
    public static ShapeKind? ShapeNamed(string name)
    {
        int i = Array.IndexOf(ShapeNames, name);
        return i < 0 ? null : (ShapeKind)i;
    }

    /// <summary>
    /// The object colours: saturated and far apart (every pair differs by at least 85 in some channel), and all far from
    /// the background, so each stays recognisable under the background noise and at anti-aliased edges.
    /// </summary>
    public static IReadOnlyList<NamedColor> Colors { get; } =
    [
        new("red", 230, 40, 40),
        new("orange", 245, 140, 20),
        new("yellow", 240, 225, 40),
        new("green", 40, 190, 60),
        new("cyan", 40, 210, 220),
        new("blue", 45, 85, 235),
        new("purple", 160, 60, 210),
        new("white", 240, 240, 240),
    ];

    /// <summary>The background: a dark slate, so that white and yellow shapes stand out as well as blue and purple ones.</summary>
    public static NamedColor Background { get; } = new("background", 28, 30, 36);

    /// <summary>The background's per-pixel, per-channel noise: uniform in [-amplitude, +amplitude].</summary>
    public const int BackgroundNoise = 6;

    /// <summary>The size words, smaller first.</summary>
    public static IReadOnlyList<string> Sizes { get; } = ["small", "large"];

    /// <summary>Rows (and columns) of the placement grid.</summary>
    public const int GridSize = 3;

    /// <summary>
    /// The place of each grid cell in words, row by row from the top left: "top left", "top", "top right", "left",
    /// "center", "right", "bottom left", "bottom", "bottom right". These are the answers to "where is ...?" questions.
    /// </summary>
    public static IReadOnlyList<string> Places { get; } =
        ["top left", "top", "top right", "left", "center", "right", "bottom left", "bottom", "bottom right"];

    /// <summary>The place word of a grid cell (row 0 at the top, column 0 at the left).</summary>
    public static string PlaceOf(int row, int column) => Places[row * GridSize + column];
}
