using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Workbench.IO;

/// <summary>
/// NumPy's <c>.npy</c> format (version 1.0) for float32 matrices, so any tool can read what the workbench writes:
/// the magic <c>\x93NUMPY</c>, a version, a little-endian header length, a Python-dict header padded to a multiple of
/// 64 bytes, then the C-order little-endian data. See numpy/lib/format.py.
/// </summary>
public static partial class NpyFile
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes a rows x columns float32 matrix (row-major data) atomically.</summary>
    public static void Write(string path, ReadOnlySpan<float> data, int rows, int columns)
    {
        if (data.Length != (long)rows * columns)
            throw new ArgumentException($"{path}: {data.Length} values do not make a {rows}x{columns} matrix.");
        var header = HeaderBytes(rows, columns);
        var bytes = new byte[header.Length + data.Length * 4];
        header.CopyTo(bytes, 0);
        var body = bytes.AsSpan(header.Length);
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(body[(i * 4)..], data[i]);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>The header for a float32 matrix: magic, version 1.0, length, dict, padding, newline.</summary>
    internal static byte[] HeaderBytes(int rows, int columns)
    {
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        int padding = (64 - unpadded % 64) % 64;
        string header = dict + new string(' ', padding) + "\n";
        var bytes = new byte[Magic.Length + 4 + header.Length];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1; // major version
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header).CopyTo(bytes, 10);
        return bytes;
    }

    [GeneratedRegex(@"'descr':\s*'(?<descr>[^']+)'.*'fortran_order':\s*(?<fortran>True|False).*'shape':\s*\((?<shape>[^)]*)\)")]
    private static partial Regex HeaderPattern();

    /// <summary>
    /// Reads a float32 matrix (a 1-D array reads as one row). Fails naming the file when it is not one. The data goes
    /// straight from the file into the array it returns, without a copy of the whole file: a LLaVA training set's
    /// features are 164 MB.
    /// </summary>
    public static (float[] Data, int Rows, int Columns) Read(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> preamble = stackalloc byte[12];
        if (stream.ReadAtLeast(preamble[..10], 10, throwOnEndOfStream: false) < 10 || !preamble[..6].SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a .npy file (bad magic).");
        bool version1 = preamble[6] == 1;
        if (!version1 && stream.ReadAtLeast(preamble[10..12], 2, throwOnEndOfStream: false) < 2)
            throw new InvalidDataException($"{path}: not a .npy file (truncated header).");
        long headerLength = version1 ? BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        long dataStart = (version1 ? 10 : 12) + headerLength;
        if (headerLength > 1 << 20 || dataStart > stream.Length)
            throw new InvalidDataException($"{path}: not a .npy file (header of {headerLength} bytes).");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string header = Encoding.ASCII.GetString(headerBytes);
        var match = HeaderPattern().Match(header);
        if (!match.Success) throw new InvalidDataException($"{path}: unreadable .npy header '{header.Trim()}'.");
        if (match.Groups["descr"].Value != "<f4") throw new InvalidDataException($"{path}: expected float32 ('<f4'), found '{match.Groups["descr"].Value}'.");
        if (match.Groups["fortran"].Value == "True") throw new InvalidDataException($"{path}: Fortran-order arrays are not supported.");
        var dims = match.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        (int rows, int columns) = dims.Length switch
        {
            1 => (1, dims[0]),
            2 => (dims[0], dims[1]),
            _ => throw new InvalidDataException($"{path}: expected a 1-D or 2-D array, found {dims.Length} dimensions."),
        };
        long count = (long)rows * columns;
        if (stream.Length - dataStart != count * 4)
            throw new InvalidDataException($"{path}: header says {rows}x{columns} float32 ({count * 4} bytes) but {stream.Length - dataStart} bytes follow.");
        var data = new float[count];
        stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<float, int>(data.AsSpan());
            BinaryPrimitives.ReverseEndianness(words, words);
        }
        return (data, rows, columns);
    }
}
