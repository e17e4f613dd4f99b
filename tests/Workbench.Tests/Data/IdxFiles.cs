using System.Buffers.Binary;
using System.IO.Compression;

namespace Workbench.Tests.Data;

/// <summary>Writes small IDX files byte by byte, independently of the reader under test.</summary>
internal static class IdxFiles
{
    public static byte[] Images(int count, int rows, int columns, byte[] pixels, int magic = 0x00000803) =>
        Header(magic, count, rows, columns).Concat(pixels).ToArray();

    public static byte[] Labels(byte[] labels, int magic = 0x00000801) =>
        Header(magic, labels.Length).Concat(labels).ToArray();

    public static byte[] Header(int magic, params int[] dims)
    {
        var bytes = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        return bytes;
    }

    public static string Write(string path, byte[] content, bool gzip)
    {
        if (gzip)
        {
            using var file = File.Create(path);
            using var zip = new GZipStream(file, CompressionLevel.Fastest);
            zip.Write(content);
        }
        else File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>A fresh empty folder under the temp folder.</summary>
    public static string NewFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "workbench-tests", "fashion-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
