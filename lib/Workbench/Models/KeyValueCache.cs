using static TorchSharp.torch;

namespace Workbench.Models;

/// <summary>
/// The keys and values a causal model has already computed, one <see cref="Layer"/> per attention layer, so that
/// generating token t+1 costs one position instead of t+1 (each new token attends to the cached keys and values).
/// Dispose it when generation ends.
/// </summary>
public sealed class KeyValueCache : IDisposable
{
    readonly Layer[] layers;

    /// <summary>Creates an empty cache for <paramref name="layerCount"/> attention layers.</summary>
    public KeyValueCache(int layerCount) => layers = Enumerable.Range(0, layerCount).Select(_ => new Layer()).ToArray();

    /// <summary>The cache of attention layer <paramref name="index"/>.</summary>
    public Layer this[int index] => layers[index];

    /// <summary>Positions cached so far (0 before the first forward pass).</summary>
    public long Length => layers.Length == 0 ? 0 : layers[0].Length;

    /// <summary>Frees every cached tensor.</summary>
    public void Dispose()
    {
        foreach (var layer in layers) layer.Dispose();
    }

    /// <summary>One attention layer's keys and values (B, heads, T, d), grown by <see cref="Append"/>.</summary>
    public sealed class Layer : IDisposable
    {
        Tensor? keys;
        Tensor? values;
        Tensor? tokenHistory;

        /// <summary>A <see cref="CanonLayer"/>'s last K − 1 inputs (B, K − 1, W), or null before the first pass.</summary>
        public Tensor? TokenHistory => tokenHistory?.alias();

        /// <summary>Keeps a copy of a <see cref="CanonLayer"/>'s last inputs for the next step.</summary>
        public void KeepTokenHistory(Tensor last)
        {
            var kept = last.detach().clone().DetachFromDisposeScope();
            tokenHistory?.Dispose();
            tokenHistory = kept;
        }

        /// <summary>Positions cached so far.</summary>
        public long Length => keys?.shape[2] ?? 0;

        /// <summary>Appends this step's keys and values and returns all of them (the caller's scope owns the result).</summary>
        public (Tensor Keys, Tensor Values) Append(Tensor newKeys, Tensor newValues)
        {
            var allKeys = keys is null ? newKeys.detach().clone() : cat([keys, newKeys.detach()], 2);
            var allValues = values is null ? newValues.detach().clone() : cat([values, newValues.detach()], 2);
            keys?.Dispose();
            values?.Dispose();
            // The cache outlives the forward pass's dispose scope: keep its own copies out of every scope.
            keys = allKeys.DetachFromDisposeScope();
            values = allValues.DetachFromDisposeScope();
            return (keys.alias(), values.alias());
        }

        /// <summary>Frees the cached tensors.</summary>
        public void Dispose()
        {
            keys?.Dispose();
            values?.Dispose();
            tokenHistory?.Dispose();
            keys = values = tokenHistory = null;
        }
    }
}
