namespace Workbench.Data;

/// <summary>
/// Small, stable 64-bit hashing (splitmix64's finaliser) for seeding: unlike <c>string.GetHashCode</c> it gives the
/// same value in every process, so generated data and shuffles are reproducible across runs and machines.
/// </summary>
public static class StableHash
{
    /// <summary>splitmix64's mixing function (Steele, Lea and Flood, 2014).</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>Folds one more value into a running hash.</summary>
    public static ulong Fold(ulong hash, ulong value) => Mix(hash ^ Mix(value));

    /// <summary>Combines values into a non-negative 31-bit seed for <see cref="Random"/>.</summary>
    public static int Combine(params long[] values)
    {
        ulong h = 0x2545F4914F6CDD1DUL;
        foreach (var v in values) h = Mix(h ^ (ulong)v);
        return (int)(h & 0x7FFFFFFF);
    }

    /// <summary>A stable 64-bit hash of a string (FNV-1a over UTF-16 code units, then mixed).</summary>
    public static ulong Of(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in text) h = (h ^ c) * 0x100000001B3UL;
        return Mix(h);
    }
}
