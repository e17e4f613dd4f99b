using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using Workbench.IO;

namespace Workbench.Data.Loading;

/// <summary>
/// Features of a frozen encoder, computed once, stored on disk, and reused. The cache key joins a fingerprint of the
/// encoder (its type and every parameter's name, shape and bytes) and of the data (its name, size, and every
/// sample's id and pixels), so changing either computes afresh. Files: <c>&lt;key&gt;.npy</c> (float32 rows, one per
/// sample, readable by NumPy) and <c>&lt;key&gt;.json</c> (what the key was made of).
/// </summary>
public sealed class FeatureCache(string folder)
{
    /// <summary>The folder holding the cache files.</summary>
    public string Folder { get; } = folder;

    /// <summary>The default folder: <c>data/cache/features</c> in the repository (or under the working directory).</summary>
    public static FeatureCache Default => new(Path.Combine(WorkbenchPaths.Data ?? "data", "cache", "features"));

    /// <summary>Whether the last <see cref="GetOrCompute"/> found its features on disk.</summary>
    public bool LastWasHit { get; private set; }

    /// <summary>
    /// Returns the cached features for (encoder, data) or computes them with <paramref name="compute"/> (given the
    /// data, it returns rows x dim floats, row-major) and stores them atomically.
    /// </summary>
    public (float[] Data, int Rows, int Columns) GetOrCompute(string encoderFingerprint, string dataFingerprint,
        Func<(float[] Data, int Rows, int Columns)> compute)
    {
        string key = Key(encoderFingerprint, dataFingerprint);
        string npy = Path.Combine(Folder, key + ".npy");
        if (File.Exists(npy))
        {
            LastWasHit = true;
            return NpyFile.Read(npy);
        }
        LastWasHit = false;
        var (data, rows, columns) = compute();
        Directory.CreateDirectory(Folder);
        NpyFile.Write(npy, data, rows, columns);
        AtomicFile.WriteAllText(Path.Combine(Folder, key + ".json"), JsonSerializer.Serialize(new
        {
            encoder = encoderFingerprint,
            data = dataFingerprint,
            rows,
            columns,
            created = DateTimeOffset.UtcNow,
        }, new JsonSerializerOptions { WriteIndented = true }));
        return (data, rows, columns);
    }

    /// <summary>The file-name key for a pair of fingerprints.</summary>
    public static string Key(string encoderFingerprint, string dataFingerprint) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(encoderFingerprint + "\n" + dataFingerprint)))[..32];

    /// <summary>A fingerprint of a module: its type and each parameter's and buffer's name, shape and values.</summary>
    public static string Fingerprint(torch.nn.Module module)
    {
        using var scope = torch.NewDisposeScope();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(module.GetType().FullName ?? module.GetName()));
        foreach (var (name, tensor) in module.state_dict())
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"|{name}:{string.Join("x", tensor.shape)}:{tensor.dtype}|"));
            var cpu = tensor.detach().cpu().contiguous();
            hash.AppendData(cpu.bytes);
        }
        return $"{module.GetType().Name}:{Convert.ToHexStringLower(hash.GetHashAndReset())[..32]}";
    }

    /// <summary>A fingerprint of a data set: its name, size, and every sample's id and pixels.</summary>
    public static string Fingerprint(IImageTextDataset data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int i = 0; i < data.Count; i++)
        {
            var sample = data.Get(i);
            hash.AppendData(Encoding.UTF8.GetBytes(sample.Id));
            hash.AppendData(BitConverter.GetBytes(sample.Image.Width * 31 + sample.Image.Height));
            hash.AppendData(sample.Image.Pixels);
        }
        return $"{data.Name}:{data.Count}:{Convert.ToHexStringLower(hash.GetHashAndReset())[..32]}";
    }
}
