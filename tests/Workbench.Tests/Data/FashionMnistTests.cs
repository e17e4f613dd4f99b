using System.Diagnostics;
using Workbench.Data;
using Workbench.Data.Fashion;
using Xunit.Abstractions;

namespace Workbench.Tests.Data;

/// <summary>The real Fashion-MNIST files, loaded once for the class when some folder has them.</summary>
public sealed class FashionMnistFixture
{
    public string? Folder { get; } = FashionMnistLocator.TryLocate();
    public FashionMnist? Train { get; }
    public FashionMnist? Validation { get; }
    public FashionMnist? Test { get; }
    public TimeSpan LoadTime { get; }

    public FashionMnistFixture()
    {
        if (Folder is null) return;
        var watch = Stopwatch.StartNew();
        Train = new FashionMnist(Split.Train, Folder);
        LoadTime = watch.Elapsed;
        Validation = new FashionMnist(Split.Validation, Folder);
        Test = new FashionMnist(Split.Test, Folder);
    }

    public const string SkipReason = "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist, or set WORKBENCH_FASHION_MNIST)";
}

public sealed class FashionMnistTests(FashionMnistFixture real, ITestOutputHelper output) : IClassFixture<FashionMnistFixture>, IDisposable
{
    readonly List<string> folders = [];

    string NewFolder()
    {
        folders.Add(IdxFiles.NewFolder());
        return folders[^1];
    }

    public void Dispose()
    {
        foreach (var dir in folders) Directory.Delete(dir, recursive: true);
    }

    // Three 2x2 images, values chosen so that every byte differs; labels 2, 0, 9.
    static readonly byte[] Pixels = Enumerable.Range(0, 12).Select(i => (byte)(i * 20 + 3)).ToArray();
    static readonly byte[] Labels = [2, 0, 9];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ReaderReturnsExactlyTheBytesWritten(bool gzip)
    {
        var dir = NewFolder();
        var images = IdxReader.ReadImages(IdxFiles.Write(Path.Combine(dir, "img"), IdxFiles.Images(3, 2, 2, Pixels), gzip));
        var labels = IdxReader.ReadLabels(IdxFiles.Write(Path.Combine(dir, "lab"), IdxFiles.Labels(Labels), gzip));
        Assert.Equal([3, 2, 2], images.Dimensions);
        Assert.Equal(Pixels, images.Data);
        Assert.Equal([3], labels.Dimensions);
        Assert.Equal(Labels, labels.Data);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BadMagicNamesTheFile(bool gzip)
    {
        var path = IdxFiles.Write(Path.Combine(NewFolder(), "img"), IdxFiles.Images(3, 2, 2, Pixels, magic: 0x12340803), gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("magic", e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TruncatedPayloadNamesTheFile(bool gzip)
    {
        var path = IdxFiles.Write(Path.Combine(NewFolder(), "img"), IdxFiles.Images(3, 2, 2, Pixels[..11]), gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("12", e.Message); // the promised payload length
    }

    [Fact]
    public void CorruptGzipNamesTheFile()
    {
        // A gzip header (magic 1F 8B, deflate, no flags) followed by bytes that are not a deflate stream.
        byte[] bytes = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        var path = IdxFiles.Write(Path.Combine(NewFolder(), "img.gz"), bytes, gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void BytesAfterTheDeclaredPayloadAreRejected()
    {
        // The header declares 3 labels; 4 follow.
        var path = IdxFiles.Write(Path.Combine(NewFolder(), "lab"), IdxFiles.Header(0x00000801, 3).Concat(new byte[] { 2, 0, 9, 7 }).ToArray(), gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("after", e.Message);
    }

    [Fact]
    public void WrongTypeAndWrongRankAreRejected()
    {
        var dir = NewFolder();
        var floats = IdxFiles.Write(Path.Combine(dir, "floats"), IdxFiles.Images(3, 2, 2, Pixels, magic: 0x00000D03), gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(floats));
        Assert.Contains(floats, e.Message);
        Assert.Contains("type 0x0D", e.Message);

        var labels = IdxFiles.Write(Path.Combine(dir, "labels"), IdxFiles.Labels(Labels), gzip: true);
        e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(labels));
        Assert.Contains(labels, e.Message);
        Assert.Contains("1 dimension", e.Message);
    }

    [Fact]
    public void ImageAndLabelCountMismatchNamesTheFiles()
    {
        var dir = NewFolder();
        WriteRelease(dir, testLabels: [2, 0]);
        var e = Assert.Throws<InvalidDataException>(() => new FashionMnist(Split.Test, dir));
        Assert.Contains(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"), e.Message);
        Assert.Contains("3 images", e.Message);
        Assert.Contains("2 labels", e.Message);
    }

    [Fact]
    public void LabelOutsideTheTenClassesNamesTheFile()
    {
        var dir = NewFolder();
        WriteRelease(dir, testLabels: [2, 10, 9]);
        var e = Assert.Throws<InvalidDataException>(() => new FashionMnist(Split.Test, dir));
        Assert.Contains(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"), e.Message);
        Assert.Contains("index 1", e.Message);
    }

    [Fact]
    public void SmallReleaseGivesGreyRgbImagesWithClassCaptions()
    {
        var dir = NewFolder();
        WriteRelease(dir, testLabels: Labels);
        var test = new FashionMnist(Split.Test, dir);
        Assert.Equal(3, test.Count);
        var sample = test.Get(1);
        Assert.Equal(0, sample.Label);
        Assert.Equal((2, 2), (sample.Image.Width, sample.Image.Height));
        // Image 1 holds bytes 4..7 of the payload; every channel carries the grey value.
        for (int p = 0; p < 4; p++)
            Assert.Equal(new[] { Pixels[4 + p], Pixels[4 + p], Pixels[4 + p] }, sample.Image.Pixels[(3 * p)..(3 * p + 3)]);
        Assert.Equal("a photo of a t-shirt.", sample.Captions[0]);
        Assert.Equal("an image of an ankle boot.", test.Get(2).Captions[6]);
        Assert.Contains(sample.Questions, q => q.Question == "what is this?" && q.Answer == "t-shirt");
        Assert.Contains(test.Get(0).Questions, q => q.Question == "is this a pullover?" && q.Answer == "yes");
        Assert.All(sample.Questions.Where(q => q.Answer == "no"), q => Assert.DoesNotContain("t-shirt", q.Question));
    }

    [Fact]
    public void ValidationIsTheLastTwelfthOfEachClass()
    {
        // 24 of class 0 and 12 of class 1, interleaved two-to-one: Validation takes the last 2 of class 0, the last 1 of class 1.
        var labels = Enumerable.Range(0, 36).Select(i => (byte)(i % 3 == 2 ? 1 : 0)).ToArray();
        var (train, validation) = FashionMnistArchive.Partition(labels);
        Assert.Equal([33, 34, 35], validation);
        Assert.Equal(Enumerable.Range(0, 33), train);
    }

    [Fact]
    public void EmptyFolderErrorSaysWhereItLookedAndHowToGetTheData()
    {
        var dir = NewFolder();
        var e = Assert.Throws<FileNotFoundException>(() => new FashionMnist(Split.Train, dir));
        Assert.Contains(dir, e.Message);
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains(FashionMnistLocator.EnvironmentVariable, e.Message);
    }

    [SkippableFact]
    public void OfficialSplitsHoldSixtyAndTenThousandImages()
    {
        Skip.If(real.Folder is null, FashionMnistFixture.SkipReason);
        Assert.Equal(60_000, real.Train!.Count + real.Validation!.Count);
        Assert.Equal(5_000, real.Validation.Count);
        Assert.Equal(10_000, real.Test!.Count);
        Assert.Equal(28, real.Test.Items.Side);
        output.WriteLine($"First load of {real.Folder}: {real.LoadTime.TotalMilliseconds:F0} ms");
    }

    [SkippableFact]
    public void EveryClassHasItsOfficialCount()
    {
        Skip.If(real.Folder is null, FashionMnistFixture.SkipReason);
        Assert.All(ClassCounts(real.Train!, real.Validation!), n => Assert.Equal(6_000, n));
        Assert.All(ClassCounts(real.Validation!), n => Assert.Equal(500, n));
        Assert.All(ClassCounts(real.Test!), n => Assert.Equal(1_000, n));
    }

    [SkippableFact]
    public void TrainAndValidationPartitionTheOfficialTrainingFile()
    {
        Skip.If(real.Folder is null, FashionMnistFixture.SkipReason);
        var train = Enumerable.Range(0, real.Train!.Count).Select(real.Train.SourceIndex).ToHashSet();
        var validation = Enumerable.Range(0, real.Validation!.Count).Select(real.Validation.SourceIndex).ToHashSet();
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Enumerable.Range(0, 60_000), train.Concat(validation).Order());
    }

    [SkippableFact]
    public void PixelStatisticsMatchThePublishedFigures()
    {
        Skip.If(real.Folder is null, FashionMnistFixture.SkipReason);
        // Published for the 60,000 training images: mean 0.2860, standard deviation 0.3530 (intensities / 255).
        var all = new byte[60_000 * 28 * 28];
        int at = 0;
        foreach (var split in new[] { real.Train!, real.Validation! })
            for (int i = 0; i < split.Count; i++, at += 28 * 28) split.Items.Grey(i).CopyTo(all.AsSpan(at));
        var histogram = new long[256];
        for (int p = 0; p < all.Length; p++) histogram[all[p]]++;
        double n = all.Length, sum = 0, sumSquares = 0;
        for (int v = 0; v < 256; v++) (sum, sumSquares) = (sum + v * histogram[v], sumSquares + (double)v * v * histogram[v]);
        double mean = sum / n / 255, std = Math.Sqrt(sumSquares / n / 255 / 255 - mean * mean);
        output.WriteLine($"mean {mean:F4}, std {std:F4}");
        Assert.InRange(mean, 0.2860 - 1.0 / 255, 0.2860 + 1.0 / 255);
        Assert.InRange(std, 0.3530 - 1.0 / 255, 0.3530 + 1.0 / 255);
    }

    [SkippableFact]
    public void RealSamplesAreGreyAndCaptionedByTheirClass()
    {
        Skip.If(real.Folder is null, FashionMnistFixture.SkipReason);
        foreach (int i in new[] { 0, 1, 4_999 })
        {
            var sample = real.Validation!.Get(i);
            var pixels = sample.Image.Pixels;
            Assert.All(Enumerable.Range(0, 28 * 28), p => Assert.True(pixels[3 * p] == pixels[3 * p + 1] && pixels[3 * p] == pixels[3 * p + 2]));
            Assert.Equal(PromptTemplates.Apply("a photo of a {}.", FashionClasses.Words[sample.Label]), sample.Captions[0]);
        }
    }

    static int[] ClassCounts(params FashionMnist[] splits)
    {
        var counts = new int[10];
        foreach (var split in splits)
            for (int i = 0; i < split.Count; i++) counts[split.Items.Label(i)]++;
        return counts;
    }

    /// <summary>A tiny release: three 2x2 images per split (gzipped).</summary>
    static void WriteRelease(string dir, byte[] testLabels)
    {
        IdxFiles.Write(Path.Combine(dir, "train-images-idx3-ubyte.gz"), IdxFiles.Images(3, 2, 2, Pixels), gzip: true);
        IdxFiles.Write(Path.Combine(dir, "train-labels-idx1-ubyte.gz"), IdxFiles.Labels(Labels), gzip: true);
        IdxFiles.Write(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"), IdxFiles.Images(3, 2, 2, Pixels), gzip: true);
        IdxFiles.Write(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"), IdxFiles.Labels(testLabels), gzip: true);
    }
}
