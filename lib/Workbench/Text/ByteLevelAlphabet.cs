namespace Workbench.Text;

/// <summary>
/// GPT-2's <c>bytes_to_unicode</c> table, which CLIP's vocabulary is written in: each of the 256 byte values is
/// shown as one printable character (printable Latin-1 bytes as themselves, the others as U+0100 onwards), so that
/// byte-level tokens are ordinary strings. Used here to turn tokens back into UTF-8 bytes when decoding.
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>The character of each byte value.</summary>
    public static IReadOnlyList<char> CharOfByte { get; } = Build();

    /// <summary>The byte value of each character of the alphabet.</summary>
    public static IReadOnlyDictionary<char, byte> ByteOfChar { get; } =
        Enumerable.Range(0, 256).ToDictionary(b => CharOfByte[b], b => (byte)b);

    static char[] Build()
    {
        var table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }
}
