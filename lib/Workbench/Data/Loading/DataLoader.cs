using System.Collections.Concurrent;
using System.Diagnostics;

namespace Workbench.Data.Loading;

/// <summary>How a <see cref="DataLoader{TBatch}"/> orders and batches a data set.</summary>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="Shuffle">Whether each epoch visits the samples in a new seeded order.</param>
/// <param name="Seed">Seed of the shuffling (and of anything the collate function draws).</param>
/// <param name="DropLast">Drop the last incomplete batch of an epoch, so every batch has <see cref="BatchSize"/> samples.</param>
/// <param name="Prefetch">Batches prepared ahead on background threads (0: prepare on the caller's thread).</param>
public sealed record LoaderOptions(int BatchSize, bool Shuffle = true, int Seed = 0, bool DropLast = true, int Prefetch = 4);

/// <summary>How long the consumer of a loader waited for batches, against the time it spent elsewhere.</summary>
/// <param name="Batches">Batches handed out.</param>
/// <param name="Waiting">Time the consumer spent waiting inside the loader.</param>
/// <param name="Total">Time from the first request to the last hand-out.</param>
public sealed record LoaderStats(long Batches, TimeSpan Waiting, TimeSpan Total)
{
    /// <summary>The share of the consumer's time spent waiting for data (the training step idles for this long).</summary>
    public double WaitFraction => Total.TotalSeconds > 0 ? Waiting.TotalSeconds / Total.TotalSeconds : 0;
}

/// <summary>
/// Turns an indexable data set into a stream of batches: a seeded permutation per epoch, batching, a collate
/// function that builds the batch (on background threads, with prefetch), and statistics of how long the consumer
/// waited. Batch <c>n</c> is a pure function of (seed, n): a resumed run that asks for batch n gets the same batch.
/// </summary>
/// <typeparam name="TBatch">What collate builds: usually host arrays the training step moves to the device.</typeparam>
public sealed class DataLoader<TBatch>
{
    readonly IImageTextDataset data;
    readonly Func<IReadOnlyList<Sample>, long, TBatch> collate;
    readonly ConcurrentDictionary<int, int[]> orders = new();

    /// <summary>The options.</summary>
    public LoaderOptions Options { get; }

    /// <summary>Creates a loader. <paramref name="collate"/> receives the samples and the batch number (for seeded choices).</summary>
    public DataLoader(IImageTextDataset data, LoaderOptions options, Func<IReadOnlyList<Sample>, long, TBatch> collate)
    {
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be positive.");
        if (data.Count < (options.DropLast ? options.BatchSize : 1))
            throw new ArgumentException($"{data.Name} has {data.Count} samples, fewer than one batch of {options.BatchSize}.");
        (this.data, Options, this.collate) = (data, options, collate);
    }

    /// <summary>Batches in one pass over the data.</summary>
    public int BatchesPerEpoch => Options.DropLast ? data.Count / Options.BatchSize : (data.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The order samples are visited in during an epoch (a seeded Fisher-Yates shuffle, or 0..n-1).</summary>
    public IReadOnlyList<int> EpochOrder(int epoch) => orders.GetOrAdd(epoch, e =>
    {
        var order = Enumerable.Range(0, data.Count).ToArray();
        if (!Options.Shuffle) return order;
        var random = new Random(StableHash.Combine(Options.Seed, e, 0x5EED));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    });

    /// <summary>The data-set indices of batch <paramref name="batch"/> (counted across epochs).</summary>
    public IReadOnlyList<int> BatchIndices(long batch)
    {
        int epoch = (int)(batch / BatchesPerEpoch);
        int offset = (int)(batch % BatchesPerEpoch) * Options.BatchSize;
        var order = EpochOrder(epoch);
        orders.TryRemove(epoch - 2, out _);
        return order.Skip(offset).Take(Math.Min(Options.BatchSize, order.Count - offset)).ToArray();
    }

    /// <summary>Builds batch <paramref name="batch"/> on the caller's thread.</summary>
    public TBatch GetBatch(long batch) => collate(BatchIndices(batch).Select(data.Get).ToList(), batch);

    /// <summary>
    /// Batches <paramref name="start"/>, start+1, ... (count of them, or endless), prepared ahead on background threads.
    /// <paramref name="stats"/> receives the consumer's waiting time when the enumeration ends.
    /// </summary>
    public IEnumerable<TBatch> Stream(long start = 0, long? count = null, Action<LoaderStats>? stats = null, CancellationToken cancel = default)
    {
        long end = count is { } c ? start + c : long.MaxValue;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var ready = new ConcurrentDictionary<long, Task<TBatch>>();
        long next = start;
        void Schedule(long upTo)
        {
            for (; next < Math.Min(upTo, end); next++)
            {
                long b = next;
                ready[b] = Task.Run(() => GetBatch(b), stop.Token);
            }
        }

        var total = Stopwatch.StartNew();
        var waiting = new Stopwatch();
        long handed = 0;
        try
        {
            for (long b = start; b < end; b++)
            {
                waiting.Start();
                TBatch batch;
                if (Options.Prefetch <= 0) batch = GetBatch(b);     // built on the caller's thread: all of it is waiting
                else
                {
                    Schedule(b + Options.Prefetch + 1);
                    ready.TryRemove(b, out var task);
                    batch = task!.GetAwaiter().GetResult();
                }
                waiting.Stop();
                handed++;
                yield return batch;
            }
        }
        finally
        {
            stop.Cancel();
            stats?.Invoke(new LoaderStats(handed, waiting.Elapsed, total.Elapsed));
        }
    }
}
