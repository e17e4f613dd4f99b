using TorchSharp;
using Workbench.Data;
using Workbench.Data.Files;
using Workbench.Data.Loading;
using Workbench.Runtime;
using static TorchSharp.torch;

namespace Workbench.Training;

/// <summary>
/// A frozen encoder's features of a whole data set, computed once (or read from a <see cref="FeatureCache"/>) and
/// kept in memory, so training steps skip the encoder: LLaVA and Flamingo never train their vision tower. Rows are
/// (tokens, width) per sample.
/// </summary>
public sealed class FrozenFeatures : IDisposable
{
    readonly Tensor table;   // (count, tokens, width), on the CPU

    FrozenFeatures(Tensor table, bool fromCache) => (this.table, FromCache) = (table, fromCache);

    /// <summary>Samples covered (the first Count of the data set).</summary>
    public long Count => table.shape[0];

    /// <summary>Whether the features came from the on-disk cache.</summary>
    public bool FromCache { get; }

    /// <summary>Images through the encoder at once while computing.</summary>
    const int FeatureBatch = 256;

    /// <summary>
    /// The features of the first <paramref name="count"/> samples of <paramref name="data"/>, from the cache when the
    /// encoder (fingerprinted with <paramref name="selection"/>, which says which of its outputs) and the data are unchanged.
    /// </summary>
    /// <param name="data">The samples.</param>
    /// <param name="count">How many, from the start.</param>
    /// <param name="encoder">The frozen encoder, for the cache key.</param>
    /// <param name="selection">Which output of the encoder (e.g. "patches@-1"), for the cache key.</param>
    /// <param name="extract">Images (B, C, H, W) → features (B, N, W), without gradients.</param>
    /// <param name="normalization">How pixels become the encoder's input.</param>
    /// <param name="cache">The cache; null computes without storing.</param>
    public static FrozenFeatures Compute(IImageTextDataset data, int count, nn.Module encoder, string selection,
        Func<Tensor, Tensor> extract, ImageNormalization normalization, FeatureCache? cache = null)
    {
        count = Math.Min(count, data.Count);
        var subset = new DatasetPrefix(data, count);
        long tokens = 0, width = 0;
        // Each batch's features go straight into the one array the table is made from: a list of batches flattened
        // afterwards held two more copies (164 MB each for quick LLaVA's 10,000 training scenes).
        (float[] Data, int Rows, int Columns) Run()
        {
            float[] values = [];
            using var noGrad = no_grad();
            for (int start = 0; start < count; start += FeatureBatch)
            {
                using var scope = NewDisposeScope();
                var indices = Enumerable.Range(start, Math.Min(FeatureBatch, count - start)).ToList();
                var features = extract(ImageTensors.Of(data, indices, normalization, ComputeDevice.Current)).cpu().contiguous();
                (tokens, width) = (features.shape[1], features.shape[2]);
                long perSample = tokens * width;
                if (start == 0) values = new float[checked(count * perSample)];
                features.data<float>().CopyTo(values.AsSpan(checked((int)(start * perSample)), checked((int)(indices.Count * perSample))));
            }
            return (values, count, (int)(tokens * width));
        }
        // The shape travels with the key: the same encoder read at another layer is another entry.
        string key = $"{FeatureCache.Fingerprint(encoder)}|{selection}";
        var (values, n, columns) = cache is null ? Run() : cache.GetOrCompute(key, FeatureCache.Fingerprint(subset), Run);
        if (tokens == 0)
        {
            // From the cache: recover (tokens, width) by running the encoder on one image.
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var probe = extract(ImageTensors.Of(data, [0], normalization, ComputeDevice.Current));
            (tokens, width) = (probe.shape[1], probe.shape[2]);
        }
        if (tokens * width != columns)
            throw new InvalidDataException($"Cached features have {columns} values per sample; the encoder gives {tokens}x{width}.");
        var table = tensor(values, [n, tokens, width]).DetachFromDisposeScope();
        return new FrozenFeatures(table, cache?.LastWasHit ?? false);
    }

    /// <summary>The features of the given samples, (B, tokens, width), on <paramref name="device"/>.</summary>
    public Tensor Rows(IReadOnlyList<int> indices, Device device)
    {
        using var index = tensor(indices.Select(i => (long)i).ToArray());
        return table.index_select(0, index).to(device);
    }

    /// <summary>Frees the table.</summary>
    public void Dispose() => table.Dispose();
}
