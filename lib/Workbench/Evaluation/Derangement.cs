using Workbench.Data;

namespace Workbench.Evaluation;

/// <summary>Seeded permutations without fixed points: every example is paired with another example (the "other image" baselines).</summary>
public static class Derangement
{
    /// <summary>A seeded permutation of 0..n−1 with no fixed point (a single cycle, by Sattolo's algorithm); for n = 1, [0].</summary>
    public static long[] Of(int n, int seed)
    {
        var random = new Random(StableHash.Combine(seed, n, 0xDE7A));
        var order = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.Next(i);   // Sattolo: j < i, so nothing stays in place
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
