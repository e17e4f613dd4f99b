using System.Text;
using Workbench.IO;

namespace Workbench.Tests.IO;

public sealed class NpyFileTests
{
    [Fact]
    public void HeaderMatchesNumpysLayoutWorkedByHand()
    {
        using var temp = new TempFolder();
        string path = temp["m.npy"];
        NpyFile.Write(path, new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var bytes = File.ReadAllBytes(path);

        // numpy.save(np.array([[1,2,3],[4,5,6]], '<f4')): magic, version 1.0, header length 118 (10 + 118 = 128,
        // a multiple of 64), the dict, spaces, a newline, then 24 bytes of little-endian floats.
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 }, bytes[..10]);
        string header = Encoding.ASCII.GetString(bytes, 10, 118);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header);
        Assert.EndsWith("\n", header);
        Assert.Equal(128 + 24, bytes.Length);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x80, 0x3F }, bytes[128..132]); // 1.0f
        Assert.Equal(new byte[] { 0x00, 0x00, 0xC0, 0x40 }, bytes[148..152]); // 6.0f
    }

    [Fact]
    public void RoundTripsAndRejectsOtherFiles()
    {
        using var temp = new TempFolder();
        var data = Enumerable.Range(0, 12).Select(i => i * 0.5f - 3).ToArray();
        NpyFile.Write(temp["a.npy"], data, 4, 3);
        var (read, rows, columns) = NpyFile.Read(temp["a.npy"]);
        Assert.Equal((4, 3), (rows, columns));
        Assert.Equal(data, read);

        File.WriteAllText(temp["b.npy"], "not numpy");
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Read(temp["b.npy"]));
        Assert.Contains("b.npy", e.Message);

        var truncated = File.ReadAllBytes(temp["a.npy"])[..^4];
        File.WriteAllBytes(temp["c.npy"], truncated);
        e = Assert.Throws<InvalidDataException>(() => NpyFile.Read(temp["c.npy"]));
        Assert.Contains("4x3", e.Message);
    }
}
