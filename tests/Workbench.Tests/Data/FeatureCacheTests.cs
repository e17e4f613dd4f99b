using TorchSharp;
using Workbench.Data.Loading;
using Workbench.IO;

namespace Workbench.Tests.Data;

public sealed class FeatureCacheTests
{
    static (float[], int, int) Features(int rows) => (Enumerable.Range(0, rows * 2).Select(i => (float)i).ToArray(), rows, 2);

    [Fact]
    public void ComputesOnceThenReusesAndRecomputesWhenEncoderOrDataChange()
    {
        using var temp = new TempFolder();
        var cache = new FeatureCache(temp.Path);
        var encoder = torch.nn.Linear(4, 2);
        int computed = 0;
        (float[], int, int) Compute() { computed++; return Features(5); }

        string data = FeatureCache.Fingerprint(new TinyDataset(5));
        var first = cache.GetOrCompute(FeatureCache.Fingerprint(encoder), data, Compute);
        var second = cache.GetOrCompute(FeatureCache.Fingerprint(encoder), data, Compute);
        Assert.Equal(1, computed);
        Assert.True(cache.LastWasHit);
        Assert.Equal(first.Item1, second.Item1);

        // The data changed (one pixel differs): computed again.
        cache.GetOrCompute(FeatureCache.Fingerprint(encoder), FeatureCache.Fingerprint(new TinyDataset(5, salt: 1)), Compute);
        Assert.Equal(2, computed);

        // The encoder changed (one weight differs): computed again.
        using (torch.no_grad()) encoder.weight![0, 0] = encoder.weight[0, 0] + 1;
        cache.GetOrCompute(FeatureCache.Fingerprint(encoder), data, Compute);
        Assert.Equal(3, computed);
        Assert.False(cache.LastWasHit);

        // What is stored is plain .npy.
        var npy = Directory.GetFiles(temp.Path, "*.npy");
        Assert.Equal(3, npy.Length);
        Assert.All(npy, f => Assert.Equal((5, 2), (NpyFile.Read(f).Rows, NpyFile.Read(f).Columns)));
    }
}
