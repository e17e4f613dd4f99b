using Workbench.Data;
using Workbench.Data.Loading;

namespace Workbench.Tests.Data;

public sealed class DataLoaderTests
{
    static DataLoader<int[]> Loader(int count, LoaderOptions options) =>
        new(new TinyDataset(count), options, (samples, _) => samples.Select(s => int.Parse(s.Id.Split('/')[1])).ToArray());

    [Fact]
    public void EveryEpochVisitsEverySampleOnceInASeededOrder()
    {
        var loader = Loader(10, new LoaderOptions(BatchSize: 3, DropLast: false, Seed: 7));
        Assert.Equal(4, loader.BatchesPerEpoch);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var seen = Enumerable.Range(epoch * 4, 4).SelectMany(b => loader.GetBatch(b)).ToList();
            Assert.Equal(Enumerable.Range(0, 10), seen.Order());
        }
        Assert.NotEqual(loader.EpochOrder(0), loader.EpochOrder(1));
        Assert.Equal(loader.EpochOrder(1), Loader(10, new LoaderOptions(3, DropLast: false, Seed: 7)).EpochOrder(1));
        Assert.NotEqual(loader.EpochOrder(0), Loader(10, new LoaderOptions(3, DropLast: false, Seed: 8)).EpochOrder(0));
    }

    [Fact]
    public void DropLastKeepsBatchesFullAndNoShuffleKeepsOrder()
    {
        var loader = Loader(10, new LoaderOptions(BatchSize: 4, Shuffle: false, DropLast: true));
        Assert.Equal(2, loader.BatchesPerEpoch);
        Assert.Equal(new[] { 0, 1, 2, 3 }, loader.GetBatch(0));
        Assert.Equal(new[] { 4, 5, 6, 7 }, loader.GetBatch(1));
        Assert.Equal(new[] { 0, 1, 2, 3 }, loader.GetBatch(2)); // next epoch
    }

    [Fact]
    public void PrefetchedStreamEqualsBatchesBuiltOnDemand()
    {
        var loader = Loader(50, new LoaderOptions(BatchSize: 8, Seed: 3, Prefetch: 3));
        LoaderStats? stats = null;
        var streamed = loader.Stream(start: 5, count: 12, stats: s => stats = s).ToList();
        var direct = Enumerable.Range(5, 12).Select(b => loader.GetBatch(b)).ToList();
        Assert.Equal(direct, streamed);
        Assert.NotNull(stats);
        Assert.Equal(12, stats!.Batches);
        Assert.InRange(stats.WaitFraction, 0, 1);
    }

    [Fact]
    public void ADataSetSmallerThanABatchIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Loader(3, new LoaderOptions(BatchSize: 4)));
        Assert.Contains("fewer than one batch", e.Message);
    }
}
