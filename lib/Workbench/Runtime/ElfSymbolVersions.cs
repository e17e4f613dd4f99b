using System.Buffers.Binary;
using System.Text;

namespace Workbench.Runtime;

/// <summary>One symbol version a shared library needs from another (an ELF <c>Vernaux</c> entry).</summary>
/// <param name="Library">The library that must provide the version, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="IsWeak">Whether the entry carries <c>VER_FLG_WEAK</c>: the loader then tolerates its absence.</param>
/// <param name="FlagsOffset">File offset of the entry's 16-bit flags field.</param>
public sealed record NeededVersion(string Library, string Version, bool IsWeak, long FlagsOffset);

/// <summary>
/// Reads and edits the GNU symbol-versioning sections of a 64-bit little-endian ELF file
/// (<c>.gnu.version_r</c>, what a library needs; <c>.gnu.version_d</c>, what it defines).
/// Layouts follow the System V ABI / LSB "Symbol Versioning" chapter.
/// </summary>
public static class ElfSymbolVersions
{
    const uint ShtGnuVerdef = 0x6ffffffd;
    const uint ShtGnuVerneed = 0x6ffffffe;
    /// <summary><c>VER_FLG_WEAK</c> from elf.h.</summary>
    public const ushort VerFlagWeak = 0x2;

    /// <summary>Lists every version the file needs from other libraries.</summary>
    public static IReadOnlyList<NeededVersion> ReadNeeded(string path)
    {
        var elf = File.ReadAllBytes(path);
        var result = new List<NeededVersion>();
        foreach (var (section, strings) in Sections(elf, path, ShtGnuVerneed))
        {
            long entry = section.Offset;
            for (int i = 0; i < section.Info; i++)
            {
                ushort count = U16(elf, entry + 2);
                string file = CString(elf, strings + U32(elf, entry + 4));
                long aux = entry + U32(elf, entry + 8);
                for (int j = 0; j < count; j++)
                {
                    ushort flags = U16(elf, aux + 4);
                    string name = CString(elf, strings + U32(elf, aux + 8));
                    result.Add(new NeededVersion(file, name, (flags & VerFlagWeak) != 0, aux + 4));
                    aux += U32(elf, aux + 12);
                }
                uint next = U32(elf, entry + 12);
                if (next == 0) break;
                entry += next;
            }
        }
        return result;
    }

    /// <summary>Lists the version names the file defines (for libstdc++: GLIBCXX_3.4, ..., CXXABI_1.3.x).</summary>
    public static IReadOnlySet<string> ReadDefined(string path)
    {
        var elf = File.ReadAllBytes(path);
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (section, strings) in Sections(elf, path, ShtGnuVerdef))
        {
            long entry = section.Offset;
            for (int i = 0; i < section.Info; i++)
            {
                ushort count = U16(elf, entry + 6);
                long aux = entry + U32(elf, entry + 12);
                if (count > 0) result.Add(CString(elf, strings + U32(elf, aux)));
                uint next = U32(elf, entry + 16);
                if (next == 0) break;
                entry += next;
            }
        }
        return result;
    }

    /// <summary>
    /// Marks the named needed versions weak, in place, so that the dynamic loader accepts the file on a
    /// system whose library lacks them. Only the two-byte flags fields change. Returns how many entries changed.
    /// </summary>
    public static int MarkWeak(string path, IReadOnlyCollection<string> versions)
    {
        var targets = ReadNeeded(path).Where(n => versions.Contains(n.Version) && !n.IsWeak).ToList();
        if (targets.Count == 0) return 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        Span<byte> buffer = stackalloc byte[2];
        foreach (var target in targets)
        {
            stream.Position = target.FlagsOffset;
            stream.ReadExactly(buffer);
            ushort flags = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(buffer) | VerFlagWeak);
            BinaryPrimitives.WriteUInt16LittleEndian(buffer, flags);
            stream.Position = target.FlagsOffset;
            stream.Write(buffer);
        }
        return targets.Count;
    }

    readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info);

    static IEnumerable<(Section Section, long Strings)> Sections(byte[] elf, string path, uint type)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"{path}: not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"{path}: only 64-bit little-endian ELF files are supported.");
        long shoff = (long)U64(elf, 0x28);
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
        if (shoff <= 0 || shoff + (long)shentsize * shnum > elf.Length)
            throw new InvalidDataException($"{path}: section header table lies outside the file.");
        var sections = new Section[shnum];
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            sections[i] = new Section(U32(elf, h + 4), (long)U64(elf, h + 0x18), (long)U64(elf, h + 0x20), U32(elf, h + 0x28), U32(elf, h + 0x2C));
        }
        foreach (var section in sections.Where(s => s.Type == type))
        {
            if (section.Link >= sections.Length)
                throw new InvalidDataException($"{path}: version section links to a missing string table.");
            yield return (section, sections[section.Link].Offset);
        }
    }

    static ushort U16(byte[] b, long at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(checked((int)at), 2));
    static uint U32(byte[] b, long at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(checked((int)at), 4));
    static ulong U64(byte[] b, long at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(checked((int)at), 8));

    static string CString(byte[] b, long at)
    {
        int start = checked((int)at), end = Array.IndexOf(b, (byte)0, start);
        return Encoding.ASCII.GetString(b, start, (end < 0 ? b.Length : end) - start);
    }
}
