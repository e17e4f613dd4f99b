using TorchSharp;
using Workbench.Data;
using Workbench.Data.Files;
using Workbench.Data.Loading;
using Workbench.Data.Shapes;
using Workbench.Training;
using static TorchSharp.torch;

namespace Workbench.Tests.Training;

/// <summary>
/// A frozen encoder's features of a data set, computed in batches of 256 or read back from the cache. The "encoder" here
/// returns its input pixels regrouped as 48 tokens of 64 values, so every row's true value is the scene's own image,
/// computed independently with <see cref="ImageTensors"/>.
/// </summary>
public sealed class FrozenFeaturesTests
{
    /// <summary>A full batch of 256 and a partial one.</summary>
    const int Count = 300;
    static readonly ShapesWorld Scenes = new(new ShapesWorldConfig { Split = Split.Validation });
    static readonly ImageNormalization Normalization = ImageNormalization.Half;

    static Tensor Pixels(Tensor images) => images.reshape(images.shape[0], 48, 64);

    /// <summary>Only the cache key reads the encoder: its weights are its fingerprint.</summary>
    static readonly nn.Module Encoder = nn.Linear(1, 1);

    static FrozenFeatures Compute(int count, FeatureCache? cache = null) =>
        FrozenFeatures.Compute(Scenes, count, Encoder, "pixels", Pixels, Normalization, cache);

    [Fact]
    public void EveryRowHoldsItsOwnScenesFeaturesAcrossTheBatchBoundaryAndFromTheCache()
    {
        using var scope = NewDisposeScope();
        var all = Enumerable.Range(0, Count).ToList();
        var expected = Pixels(ImageTensors.Of(Scenes, all, Normalization, CPU));

        using var computed = Compute(Count);
        Assert.Equal(Count, computed.Count);
        Assert.False(computed.FromCache);
        Assert.True(computed.Rows(all, CPU).eq(expected).all().item<bool>());
        // The rows either side of the batch boundary, picked out of order.
        Assert.True(computed.Rows([256, 255, 299, 0], CPU).eq(expected.index_select(0, tensor(new long[] { 256, 255, 299, 0 }))).all().item<bool>());

        using var temp = new TempFolder();
        var cache = new FeatureCache(temp.Path);
        using (var first = Compute(Count, cache)) Assert.False(first.FromCache);
        var files = Directory.GetFiles(temp.Path, "*.npy");
        Assert.Single(files);
        Assert.Equal(128 + (long)Count * 48 * 64 * sizeof(float), new FileInfo(files[0]).Length);
        using var second = Compute(Count, cache);
        Assert.True(second.FromCache);
        Assert.True(second.Rows(all, CPU).eq(expected).all().item<bool>());
    }

    [Fact]
    public void ComputingAllocatesNoCopyOfTheFeaturesBeyondTheTableAndTorchSharpsOwn()
    {
        Compute(8).Dispose();   // the code paths warmed up, so what is counted below is the data
        long table = (long)Count * 48 * 64 * sizeof(float);
        long before = GC.GetAllocatedBytesForCurrentThread();
        using (var features = Compute(Count)) Assert.Equal(Count, features.Count);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // What the same batches' images cost on their own: the scenes rendered and their pixels.
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int start = 0; start < Count; start += 256)
            ImageTensors.Of(Scenes, Enumerable.Range(start, Math.Min(256, Count - start)).ToList(), Normalization, CPU).Dispose();
        long images = GC.GetAllocatedBytesForCurrentThread() - before;

        // Beyond the images, two tables: the array the batches are written into, and the copy TorchSharp's tensor(float[])
        // makes of it. Gathering the batches in a list and flattening it, as before, added two more.
        double tables = (double)(allocated - images) / table;
        Assert.True(tables < 2.5, $"allocated {allocated:N0} bytes, {images:N0} of them the images, for a table of {table:N0}: {tables:F2} tables");
    }
}
