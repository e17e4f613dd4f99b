using Workbench.Runtime;

namespace Workbench.Tests.Runtime;

/// <summary>Byte-level edits that give tests the native libraries of other systems: as shipped, or needing more.</summary>
public static class ElfEdits
{
    /// <summary>
    /// Clears <c>VER_FLG_WEAK</c> on the marker versions' <c>Vernaux</c> entries (what the workbench's fix sets),
    /// reading their offsets with the same ELF reader the fix uses.
    /// </summary>
    public static byte[] WithMarkersRequired(byte[] native)
    {
        string scratch = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(scratch, native);
            var copy = (byte[])native.Clone();
            foreach (var entry in ElfSymbolVersions.ReadNeeded(scratch).Where(n => TorchRuntime.MarkerVersions.Contains(n.Version)))
                copy[entry.FlagsOffset] &= unchecked((byte)~ElfSymbolVersions.VerFlagWeak);
            return copy;
        }
        finally
        {
            File.Delete(scratch);
        }
    }

    /// <summary>
    /// The bytes with every NUL-terminated occurrence of one version name replaced by another of the same length: a
    /// library that needs (or a C++ runtime that lacks) a version as another system's would.
    /// </summary>
    public static byte[] RenameVersion(byte[] elf, string from, string to)
    {
        if (from.Length != to.Length) throw new ArgumentException("Version names must have the same length.");
        var bytes = (byte[])elf.Clone();
        var needle = System.Text.Encoding.ASCII.GetBytes(from + "\0");
        var replacement = System.Text.Encoding.ASCII.GetBytes(to + "\0");
        int replaced = 0;
        for (int i = bytes.AsSpan().IndexOf(needle); i >= 0; i = bytes.AsSpan().IndexOf(needle))
        {
            replacement.CopyTo(bytes, i);
            replaced++;
        }
        if (replaced == 0) throw new ArgumentException($"{from} does not occur in the file.");
        return bytes;
    }
}
