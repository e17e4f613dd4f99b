namespace Workbench.Data.Fashion;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28x28 grey photos of Zalando products in ten classes, from the
/// official IDX files. Test is the official 10,000-image test set. Train and Validation partition the official
/// 60,000 training images: Validation is, for each class, the last 500 of its images in file order (5,000, exactly
/// balanced); Train is the other 55,000. Images come as RGB with R = G = B; the label is the class index into
/// <see cref="FashionClasses.Words"/>; captions are the class word through <see cref="PromptTemplates.Default"/>.
/// The files are decoded once per process per folder and shared.
/// </summary>
public sealed class FashionMnist : IImageTextDataset
{
    /// <summary>
    /// The split of the files the locator finds (see <see cref="FashionMnistLocator"/>), or of the files in
    /// <paramref name="folder"/> when given: an explicit folder is the only place looked, so a wrong one is an error
    /// rather than a silent fallback to another copy.
    /// </summary>
    public FashionMnist(Split split, string? folder = null)
    {
        Folder = folder is null ? FashionMnistLocator.Locate() : RequireFiles(folder);
        Split = split;
        Items = FashionMnistArchive.Load(Folder).Items(split);
    }

    /// <summary>The folder the files were read from.</summary>
    public string Folder { get; }
    /// <summary>Which split this is.</summary>
    public Split Split { get; }
    /// <summary>The split's grey images and labels, for fast direct access (no RGB copies).</summary>
    public FashionItems Items { get; }

    /// <inheritdoc/>
    public string Name => "fashion-mnist";
    /// <inheritdoc/>
    public int Count => Items.Count;
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames => FashionClasses.Words;

    /// <summary>The index in the official file (train or t10k) of the sample at an index of this split.</summary>
    public int SourceIndex(int index) => Items.SourceIndex(index);

    /// <inheritdoc/>
    public Sample Get(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"{Name} {Split} has {Count} samples, asked for {index}");
        int label = Items.Label(index);
        string word = FashionClasses.Words[label];
        // A fixed "no" class per index, so yes/no questions are not always "yes".
        int other = (label + 1 + index % (FashionClasses.Count - 1)) % FashionClasses.Count;
        var questions = new[]
        {
            new QuestionAnswer("what is this?", word, "item"),
            new QuestionAnswer("what is in the picture?", word, "item"),
            new QuestionAnswer($"is this {PromptTemplates.WithArticle(word)}?", "yes", "exists"),
            new QuestionAnswer($"is this {PromptTemplates.WithArticle(FashionClasses.Words[other])}?", "no", "exists"),
        };
        return new Sample($"{Name}/{Split.ToString().ToLowerInvariant()}/{index}", Items.ToImage(index),
            PromptTemplates.ForClass(word), questions, label);
    }

    static string RequireFiles(string folder)
    {
        var missing = FashionMnistLocator.Files.Where(f => FashionMnistLocator.Resolve(folder, f) is null).ToArray();
        if (missing.Length == 0) return folder;
        throw new FileNotFoundException(
            $"Fashion-MNIST was not found in {folder}: missing {string.Join(", ", missing.Select(f => f + "(.gz)"))}. {FashionMnistLocator.HowToGet}");
    }
}
