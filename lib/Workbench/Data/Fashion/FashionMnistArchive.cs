using System.Collections.Concurrent;

namespace Workbench.Data.Fashion;

/// <summary>
/// The four official files of one folder, decoded once per process and kept (about 55 MB): every
/// <see cref="FashionMnist"/> and <see cref="FashionScenes"/> over the same folder shares them.
/// Also holds the Train/Validation partition of the official training set (see <see cref="ValidationFraction"/>).
/// </summary>
internal sealed class FashionMnistArchive
{
    /// <summary>
    /// Validation takes, for each class, the last 1/12 of that class's images in the official training file's order:
    /// 500 of the 6,000 per class, 5,000 in all, exactly balanced. Train keeps the other 55,000 in file order.
    /// The official file is already shuffled, so "the last ones" is as good as a random pick, and needs no seed.
    /// </summary>
    public const int ValidationFraction = 12;

    static readonly ConcurrentDictionary<string, Lazy<FashionMnistArchive>> Loaded = new();

    public required FashionItems Train { get; init; }
    public required FashionItems Validation { get; init; }
    public required FashionItems Test { get; init; }

    public FashionItems Items(Split split) => split switch
    {
        Split.Train => Train,
        Split.Validation => Validation,
        Split.Test => Test,
        _ => throw new ArgumentOutOfRangeException(nameof(split)),
    };

    /// <summary>The archive of a folder holding the four files, loaded on first use. A failed load is not kept.</summary>
    public static FashionMnistArchive Load(string folder)
    {
        string key = Path.GetFullPath(folder);
        var lazy = Loaded.GetOrAdd(key, k => new Lazy<FashionMnistArchive>(() => Read(k)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Loaded.TryRemove(new KeyValuePair<string, Lazy<FashionMnistArchive>>(key, lazy));
            throw;
        }
    }

    static FashionMnistArchive Read(string folder)
    {
        // The two large files decode in parallel: gzip inflation is the whole cost.
        var train = Task.Run(() => ReadPair(folder, "train"));
        var test = ReadPair(folder, "t10k");
        var (trainImages, trainLabels) = train.GetAwaiter().GetResult();
        var (testImages, testLabels) = test;

        var (trainIndices, validationIndices) = Partition(trainLabels.Data);
        int side = trainImages.Dimensions[1];
        if (testImages.Dimensions[1] != side)
            throw new InvalidDataException($"{testImages.Path} holds {testImages.Dimensions[1]}x{testImages.Dimensions[2]} images but {trainImages.Path} holds {side}x{side}.");
        return new FashionMnistArchive
        {
            Train = new FashionItems(trainImages.Data, trainLabels.Data, side, trainIndices, trainImages.Path),
            Validation = new FashionItems(trainImages.Data, trainLabels.Data, side, validationIndices, trainImages.Path),
            Test = new FashionItems(testImages.Data, testLabels.Data, side, sourceIndices: null, testImages.Path),
        };
    }

    static (IdxArray Images, IdxArray Labels) ReadPair(string folder, string prefix)
    {
        string imagesPath = Require(folder, $"{prefix}-images-idx3-ubyte");
        string labelsPath = Require(folder, $"{prefix}-labels-idx1-ubyte");
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (images.Count != labels.Count)
            throw new InvalidDataException($"{imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Count} labels: the counts must match.");
        if (images.Dimensions[1] != images.Dimensions[2] || images.Dimensions[1] == 0)
            throw new InvalidDataException($"{imagesPath} holds {images.Dimensions[1]}x{images.Dimensions[2]} images: expected square ones (28x28).");
        int bad = Array.FindIndex(labels.Data, l => l >= FashionClasses.Count);
        if (bad >= 0)
            throw new InvalidDataException($"{labelsPath} has label {labels.Data[bad]} at index {bad}: Fashion-MNIST labels are 0..{FashionClasses.Count - 1}.");
        return (images, labels);
    }

    static string Require(string folder, string file) =>
        FashionMnistLocator.Resolve(folder, file)
        ?? throw new FileNotFoundException($"Fashion-MNIST file {file}(.gz) is missing from {folder}. {FashionMnistLocator.HowToGet}", Path.Combine(folder, file + ".gz"));

    /// <summary>Splits the official training indices into Train and Validation (see <see cref="ValidationFraction"/>).</summary>
    internal static (int[] Train, int[] Validation) Partition(byte[] labels)
    {
        var perClass = new int[FashionClasses.Count];
        foreach (var l in labels) perClass[l]++;
        // Walking backwards, the first perClass/12 images met of each class go to Validation.
        var take = perClass.Select(n => n / ValidationFraction).ToArray();
        var isValidation = new bool[labels.Length];
        for (int i = labels.Length - 1; i >= 0; i--)
            if (take[labels[i]] > 0) { take[labels[i]]--; isValidation[i] = true; }
        var train = new List<int>(labels.Length);
        var validation = new List<int>();
        for (int i = 0; i < labels.Length; i++) (isValidation[i] ? validation : train).Add(i);
        return (train.ToArray(), validation.ToArray());
    }
}
