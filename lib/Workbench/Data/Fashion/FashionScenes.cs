namespace Workbench.Data.Fashion;

/// <summary>
/// Scenes of tinted Fashion-MNIST items: a canvas twice an item's side (56x56 for Fashion-MNIST) cut into 2x2
/// quadrants, with 1 to <see cref="FashionScenesConfig.MaxItems"/> items, each filling its own quadrant, on a dark
/// noisy background. An item's grey intensity is its opacity over the background in its colour, so a white pixel
/// of the photo shows the full tint and a black one shows the background. Captions and questions bind colours,
/// classes and places ("a red sneaker at the top left and a blue bag at the bottom right"), the compositional
/// skills that CLIP-style models are known to lack (Yuksekgonul et al., 2023, "When and why vision-language models
/// behave like bags-of-words").
/// Train and Validation scenes draw from the matching Fashion-MNIST split (the two partition the official training
/// set), Test scenes from the official test set, so no item photo is shared across splits.
/// Scene i of a split is a pure function of (Seed, split, i). The label is the item's class when a scene holds a
/// single item, else -1.
/// </summary>
public sealed class FashionScenes : IImageTextDataset
{
    /// <summary>Rows and columns of the placement grid.</summary>
    public const int GridSize = 2;
    /// <summary>Number of places (quadrants) in a scene.</summary>
    public const int Places = GridSize * GridSize;

    /// <summary>Counts in words, for answers ("two"); index = count.</summary>
    public static readonly IReadOnlyList<string> NumberWords = ["zero", "one", "two", "three", "four"];

    /// <summary>Scenes over the Fashion-MNIST split the locator finds (or the one in <paramref name="folder"/>).</summary>
    public FashionScenes(Split split, FashionScenesConfig? config = null, string? folder = null)
        : this(split, new FashionMnist(split, folder).Items, config) { }

    /// <summary>Scenes over any items: your own, or tiny synthetic ones for tests.</summary>
    public FashionScenes(Split split, FashionItems items, FashionScenesConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        Config = config ?? new FashionScenesConfig();
        Config.Validate();
        if (items.Count == 0 && Config.CountOf(split) > 0)
            throw new ArgumentException($"{items.Source}: no items to build {split} scenes from", nameof(items));
        (Split, Items) = (split, items);
    }

    /// <summary>Which split this is.</summary>
    public Split Split { get; }
    /// <summary>The generator's settings.</summary>
    public FashionScenesConfig Config { get; }
    /// <summary>The items scenes are built from.</summary>
    public FashionItems Items { get; }
    /// <summary>Width and height of a scene in pixels (two items' sides).</summary>
    public int Side => GridSize * Items.Side;

    /// <inheritdoc/>
    public string Name => "fashion-scenes";
    /// <inheritdoc/>
    public int Count => Config.CountOf(Split);
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames => FashionClasses.Words;

    /// <summary>FashionScenes' wording of any scene, for hard negatives.</summary>
    public ISceneLanguage Language => SceneWords.Instance;

    sealed class SceneWords : ISceneLanguage
    {
        public static readonly SceneWords Instance = new();
        public IReadOnlyList<string> Captions(Scene scene) => FashionSceneLanguage.Captions(scene.Objects);
        public IReadOnlyList<string> Kinds => FashionClasses.Words;
    }

    /// <summary>The place of a quadrant in words: "top left", "top right", "bottom left", "bottom right".</summary>
    public static string PlaceName(int row, int column) => (row, column) switch
    {
        (0, 0) => "top left",
        (0, 1) => "top right",
        (1, 0) => "bottom left",
        (1, 1) => "bottom right",
        _ => throw new ArgumentOutOfRangeException(nameof(row), $"no quadrant at row {row}, column {column}"),
    };

    /// <summary>What scene i holds, in reading order (top left first), without drawing it.</summary>
    public IReadOnlyList<FashionSceneItem> Layout(int index)
    {
        CheckIndex(index);
        var rng = RandomFor(index, Stream.Layout);
        int n = rng.Next(Config.MinItems, Config.MaxItems + 1);
        var places = Enumerable.Range(0, Places).ToArray();
        rng.Shuffle(places);
        var items = new FashionSceneItem[n];
        for (int k = 0; k < n; k++)
        {
            int item = rng.Next(Items.Count);
            var color = FashionPalette.Colors[rng.Next(FashionPalette.Colors.Count)];
            items[k] = new FashionSceneItem(item, Items.SourceIndex(item), Items.Label(item), color, places[k] / GridSize, places[k] % GridSize);
        }
        return items.OrderBy(i => i.Row).ThenBy(i => i.Column).ToArray();
    }

    /// <summary>Draws scene i.</summary>
    public RgbImage Render(int index) => Render(index, Layout(index));

    /// <inheritdoc/>
    public Sample Get(int index)
    {
        var layout = Layout(index);
        var scene = new Scene(layout.Select(i => i.ToSceneObject()).ToArray(), GridSize, GridSize);
        var questions = FashionSceneLanguage.Questions(layout, RandomFor(index, Stream.Questions));
        return new Sample($"{Name}/{Split.ToString().ToLowerInvariant()}/{index}", Render(index, layout),
            FashionSceneLanguage.Captions(scene.Objects), questions, layout.Count == 1 ? layout[0].Label : -1, scene);
    }

    RgbImage Render(int index, IReadOnlyList<FashionSceneItem> layout)
    {
        int side = Side, itemSide = Items.Side;
        var pixels = new byte[side * side * 3];
        var background = new byte[side * side];
        var rng = RandomFor(index, Stream.Noise);
        for (int p = 0; p < background.Length; p++)
            background[p] = (byte)(Config.BackgroundLevel + (Config.Noise == 0 ? 0 : rng.Next(-Config.Noise, Config.Noise + 1)));
        for (int p = 0; p < background.Length; p++)
            pixels[3 * p] = pixels[3 * p + 1] = pixels[3 * p + 2] = background[p];

        foreach (var item in layout)
        {
            var grey = Items.Grey(item.ItemIndex);
            Span<int> tint = [item.Color.R, item.Color.G, item.Color.B];
            for (int y = 0; y < itemSide; y++)
            for (int x = 0; x < itemSide; x++)
            {
                int alpha = grey[y * itemSide + x];
                int p = (item.Row * itemSide + y) * side + item.Column * itemSide + x;
                int bg = background[p];
                // Grey intensity as opacity: out = bg + alpha/255 * (tint - bg), rounded.
                for (int c = 0; c < 3; c++)
                    pixels[3 * p + c] = (byte)((bg * (255 - alpha) + tint[c] * alpha + 127) / 255);
            }
        }
        return new RgbImage(side, side, pixels);
    }

    void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"{Name} {Split} has {Count} scenes, asked for {index}");
    }

    /// <summary>Independent random streams per scene, so that changing the noise never moves the items.</summary>
    enum Stream : ulong { Layout = 1, Noise = 2, Questions = 3 }

    Random RandomFor(int index, Stream stream)
    {
        ulong h = StableHash.Mix((ulong)(long)Config.Seed);
        h = StableHash.Mix(h ^ (ulong)Split);
        h = StableHash.Mix(h ^ (ulong)(uint)index);
        h = StableHash.Mix(h ^ (ulong)stream);
        return new Random((int)(h >> 33));
    }
}
