using System.Buffers.Binary;
using System.IO.Compression;

namespace Workbench.Data.Fashion;

/// <summary>
/// Reads the IDX format of the MNIST and Fashion-MNIST releases (gzipped or raw; detected from the content, not the
/// name). Layout: a 4-byte magic number (two zero bytes, a type code, the number of dimensions), one big-endian int32
/// per dimension, then the payload. Only the unsigned-byte type (0x08) is accepted: it is what both releases use.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an image file: unsigned bytes, 3 dimensions (count, rows, columns).</summary>
    public const int ImagesMagic = 0x00000803;
    /// <summary>Magic number of a label file: unsigned bytes, 1 dimension (count).</summary>
    public const int LabelsMagic = 0x00000801;
    /// <summary>The type code of unsigned bytes, the third byte of the magic number.</summary>
    public const byte UnsignedByteType = 0x08;

    /// <summary>Reads an image file (magic 0x00000803) and checks it is one.</summary>
    public static IdxArray ReadImages(string path) => Read(path, expectedDimensions: 3, "an image file");

    /// <summary>Reads a label file (magic 0x00000801) and checks it is one.</summary>
    public static IdxArray ReadLabels(string path) => Read(path, expectedDimensions: 1, "a label file");

    /// <summary>Reads any unsigned-byte IDX file.</summary>
    public static IdxArray Read(string path) => Read(path, expectedDimensions: null, "an IDX file");

    static IdxArray Read(string path, int? expectedDimensions, string what)
    {
        using var file = File.OpenRead(path);
        bool gzipped = file.Length >= 2 && file.ReadByte() == 0x1F && file.ReadByte() == 0x8B;
        file.Position = 0;
        using Stream stream = gzipped ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return Read(stream, path, expectedDimensions, what);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // A corrupt gzip stream: the decompressor's message does not say which file.
            throw Bad(path, $"is not a valid gzip stream ({e.Message})");
        }
    }

    static IdxArray Read(Stream stream, string path, int? expectedDimensions, string what)
    {
        Span<byte> magic = stackalloc byte[4];
        if (!TryReadExactly(stream, magic)) throw Bad(path, "is truncated: shorter than the 4-byte magic number");
        if (magic[0] != 0 || magic[1] != 0)
            throw Bad(path, $"has a bad magic number 0x{BinaryPrimitives.ReadInt32BigEndian(magic):X8}: not an IDX file (expected 0x0000080N)");
        if (magic[2] != UnsignedByteType)
            throw Bad(path, $"has the wrong data type 0x{magic[2]:X2} (expected 0x{UnsignedByteType:X2}, unsigned bytes)");
        int rank = magic[3];
        if (rank == 0) throw Bad(path, "declares 0 dimensions");
        if (expectedDimensions is { } expected && rank != expected)
            throw Bad(path, $"has {rank} dimension(s), expected {expected} for {what} (magic 0x{(expected == 3 ? ImagesMagic : LabelsMagic):X8})");

        var header = new byte[4 * rank];
        if (!TryReadExactly(stream, header)) throw Bad(path, $"is truncated: the header ends before its {rank} dimension sizes");
        var dims = new int[rank];
        long length = 1;
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 * d));
            if (dims[d] < 0) throw Bad(path, $"has a negative size {dims[d]} in dimension {d}");
            length *= dims[d];
            if (length > Array.MaxLength) throw Bad(path, $"declares a payload of more than {Array.MaxLength} bytes");
        }

        // The whole payload in one read: the decompressor then works in large blocks.
        var data = new byte[length];
        int got = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (got < data.Length)
            throw Bad(path, $"is truncated: the header ({string.Join(" x ", dims)}) promises {data.Length} payload bytes, the file holds {got}");
        if (stream.ReadByte() != -1)
            throw Bad(path, $"has bytes after the {data.Length}-byte payload its header ({string.Join(" x ", dims)}) declares");
        return new IdxArray(path, dims, data);
    }

    static bool TryReadExactly(Stream stream, Span<byte> buffer) =>
        stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length;

    static InvalidDataException Bad(string path, string problem) => new($"{path} {problem}.");
}
