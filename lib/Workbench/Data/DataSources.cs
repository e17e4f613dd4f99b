using Workbench.Data.Fashion;
using Workbench.Data.Files;

namespace Workbench.Data;

/// <summary>Options shared by the data sources.</summary>
/// <param name="Seed">Seed of generated data (ShapesWorld, FashionScenes).</param>
/// <param name="ImageSize">Image size for generated scenes and users' files (null: the source's default).</param>
/// <param name="FashionFolder">A folder holding the Fashion-MNIST files (null: the usual places).</param>
/// <param name="OnBadImage">For users' files: skip (and report) or fail on bad images.</param>
public sealed record DataSourceOptions(int Seed = 0, int? ImageSize = null, string? FashionFolder = null, BadImagePolicy OnBadImage = BadImagePolicy.Skip);

/// <summary>
/// Opens a data set by name: <c>shapes</c> (generated, nothing to install), <c>fashion-mnist</c>,
/// <c>fashion-scenes</c>, or the path of a caption file (CSV/TSV, JSONL, COCO or LLaVA JSON) next to its images.
/// </summary>
public static class DataSources
{
    /// <summary>The built-in sources.</summary>
    public static readonly IReadOnlyList<string> Names = ["shapes", "fashion-mnist", "fashion-scenes"];

    /// <summary>
    /// Whether a source generates its scenes, and so can word a changed one (<see cref="ISceneLanguage"/>): ShapesWorld
    /// and FashionScenes, not Fashion-MNIST's class captions or a caption file.
    /// </summary>
    public static bool GeneratesScenes(string source) => source.ToLowerInvariant() is "shapes" or "shapesworld" or "fashion-scenes";

    /// <summary>Opens one split of a source; an unknown name that is not a file fails listing the choices.</summary>
    public static IImageTextDataset Open(string source, Split split, DataSourceOptions? options = null)
    {
        options ??= new DataSourceOptions();
        switch (source.ToLowerInvariant())
        {
            case "shapes":
            case "shapesworld":
                return new Shapes.ShapesWorld(new Shapes.ShapesWorldConfig { Seed = options.Seed, ImageSize = options.ImageSize ?? 32, Split = split });
            case "fashion-mnist":
            case "fashion":
                return new FashionMnist(split, options.FashionFolder);
            case "fashion-scenes":
                return new FashionScenes(split, new FashionScenesConfig { Seed = options.Seed }, options.FashionFolder);
        }
        if (File.Exists(source))
        {
            var folder = new ImageTextFolder(source, null, new ImageTextFolderOptions(options.ImageSize ?? 64, options.OnBadImage));
            return new SplitView(folder, split);
        }
        throw new ArgumentException(
            $"Unknown data source '{source}': use one of {string.Join(", ", Names)}, or the path of a caption file " +
            "(.csv/.tsv with filepath and caption columns, .jsonl, COCO captions .json or LLaVA .json).");
    }
}

/// <summary>
/// One split of a data set that has none of its own (a user's caption file): each sample goes to a split by a stable
/// hash of its id — 90% train, 5% validation, 5% test — so the split of an image never changes as files are added.
/// </summary>
public sealed class SplitView : IImageTextDataset
{
    readonly IImageTextDataset inner;
    readonly int[] indices;

    /// <summary>The samples of <paramref name="inner"/> that fall in <paramref name="split"/>.</summary>
    public SplitView(IImageTextDataset inner, Split split)
    {
        this.inner = inner;
        indices = Enumerable.Range(0, inner.Count).Where(i => SplitOf(inner.IdOf(i)) == split).ToArray();
    }

    /// <summary>The split a sample id belongs to.</summary>
    public static Split SplitOf(string id) => (StableHash.Of(id) % 20) switch
    {
        0 => Split.Test,
        1 => Split.Validation,
        _ => Split.Train,
    };

    /// <summary>The whole data set this view selects from (for a caption file, the <see cref="ImageTextFolder"/> with its report).</summary>
    public IImageTextDataset Source => inner;
    /// <inheritdoc />
    public string Name => inner.Name;
    /// <inheritdoc />
    public int Count => indices.Length;
    /// <inheritdoc />
    public IReadOnlyList<string>? ClassNames => inner.ClassNames;
    /// <inheritdoc />
    public ISceneLanguage? Language => inner.Language;
    /// <inheritdoc />
    public Sample Get(int index) => inner.Get(indices[index]);
    /// <inheritdoc />
    public string IdOf(int index) => inner.IdOf(indices[index]);
}
