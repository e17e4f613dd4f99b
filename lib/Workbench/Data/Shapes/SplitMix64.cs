namespace Workbench.Data.Shapes;

/// <summary>
/// The finaliser of Steele, Lea and Flood's SplitMix64 (2014): a cheap, well-mixed 64-bit hash that is the same in
/// every process (unlike <see cref="string.GetHashCode()"/>), used to seed generators and to assign scenes to splits.
/// </summary>
internal static class SplitMix64
{
    /// <summary>Mixes one 64-bit value: every input bit affects every output bit.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Folds one more value into a running hash.</summary>
    public static ulong Combine(ulong hash, ulong value) => Mix(hash ^ Mix(value));
}
