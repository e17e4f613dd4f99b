using System.IO.Compression;
using System.Text;
using TorchSharp;
using Workbench.IO;
using static TorchSharp.torch;

namespace Workbench.Tests.IO;

public sealed class PythonStateDictTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("workbench-statedict-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "IO", "Fixtures", name);

    [Fact]
    public void ReadsAFileWrittenByPythonsTorchSave()
    {
        var tensors = PythonStateDict.Read(Fixture("torch-save-ones.pth"));
        Assert.Equal(["lin1.weight", "lin2.weight"], tensors.Keys.Order());
        Assert.Equal([1L, 5L], tensors["lin1.weight"].shape);
        Assert.Equal([2L, 1L], tensors["lin2.weight"].shape);
        Assert.All(tensors.Values, t => Assert.True(t.eq(1f).all().item<bool>()));
    }

    [Fact]
    public void ReadsAFileWrittenByPythonsSafetensors()
    {
        var tensors = PythonStateDict.Read(Fixture("safetensors-ones-twos.safetensors"));
        Assert.Equal([2L, 5L], tensors["lin1.weight"].shape);
        Assert.True(tensors["lin1.weight"].eq(1f).all().item<bool>());
        Assert.True(tensors["lin2.weight"].eq(2f).all().item<bool>());
    }

    [Fact]
    public void ReadsHalfAndBfloat16ValuesFromAHandWrittenSafetensorsFile()
    {
        // The format by hand: u64 header length, JSON index, little-endian bytes. fp16 1.5 = 0x3E00, fp16 -0.25 = 0xB400;
        // bf16 -2 = 0xC000, bf16 3.5 = 0x4060 (the top 16 bits of the float32 pattern).
        string header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}";
        var bytes = new List<byte>(BitConverter.GetBytes((ulong)header.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(new byte[] { 0x00, 0x3E, 0x00, 0xB4, 0x00, 0xC0, 0x60, 0x40 });
        string path = Path.Combine(folder, "mixed.safetensors");
        File.WriteAllBytes(path, [.. bytes]);

        var tensors = PythonStateDict.Read(path);
        Assert.Equal(ScalarType.Float16, tensors["h"].dtype);
        Assert.Equal(ScalarType.BFloat16, tensors["b"].dtype);
        Assert.Equal([1.5f, -0.25f], tensors["h"].to(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal([-2f, 3.5f], tensors["b"].to(ScalarType.Float32).data<float>().ToArray());
    }

    [Theory]
    [InlineData("weights.safetensors")]
    [InlineData("weights.pt")]
    [InlineData("pytorch_model.bin")]
    public void WritesAndReadsBackEveryElementTypeInBothFormats(string name)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        var written = new Dictionary<string, Tensor>
        {
            ["a.weight"] = randn(3, 4),
            ["a.half"] = randn(5).to(ScalarType.Float16),
            ["a.bf16"] = randn(2, 2).to(ScalarType.BFloat16),
            ["b.transposed"] = randn(4, 3).t(),   // not contiguous: written as its values
        };
        string path = Path.Combine(folder, name);
        PythonStateDict.Write(path, written);

        var read = PythonStateDict.Read(path);
        Assert.Equal(written.Keys.Order(), read.Keys.Order());
        foreach (var (key, tensor) in written)
        {
            Assert.Equal(tensor.dtype, read[key].dtype);
            Assert.Equal(tensor.shape, read[key].shape);
            Assert.True(tensor.eq(read[key]).all().item<bool>(), key);
        }
        Assert.Empty(Directory.GetFiles(folder, ".*.tmp"));
    }

    [Fact]
    public void ATorchScriptArchiveIsRefusedWithHowToConvertIt()
    {
        string path = Path.Combine(folder, "ViT-B-32.pt");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var entry in new[] { "model/data.pkl", "model/constants.pkl", "model/code/__torch__/model.py", "model/version" })
                using (var w = new StreamWriter(zip.CreateEntry(entry).Open())) w.Write("x");
        }
        var error = Assert.Throws<InvalidDataException>(() => PythonStateDict.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("TorchScript", error.Message);
        Assert.Contains("torch.save(m.state_dict()", error.Message);
    }

    [Fact]
    public void ALegacyPickleAGarbageFileAndATruncatedFileAreRefusedNamingTheFile()
    {
        string legacy = Path.Combine(folder, "old.bin");
        File.WriteAllBytes(legacy, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
        var error = Assert.Throws<InvalidDataException>(() => PythonStateDict.Read(legacy));
        Assert.Contains(legacy, error.Message);
        Assert.Contains("torch < 1.6", error.Message);

        string garbage = Path.Combine(folder, "notes.pt");
        File.WriteAllText(garbage, "these are not weights at all");
        error = Assert.Throws<InvalidDataException>(() => PythonStateDict.Read(garbage));
        Assert.Contains(garbage, error.Message);

        string whole = Path.Combine(folder, "whole.safetensors"), cut = Path.Combine(folder, "cut.safetensors");
        using (var t = ones(64, 64)) PythonStateDict.Write(whole, new Dictionary<string, Tensor> { ["w"] = t });
        var bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        error = Assert.Throws<InvalidDataException>(() => PythonStateDict.Read(cut));
        Assert.Contains(cut, error.Message);

        Assert.Throws<FileNotFoundException>(() => PythonStateDict.Read(Path.Combine(folder, "absent.pt")));
    }
}
