using System.Collections;
using System.Collections.Specialized;
using System.IO.Compression;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Workbench.IO;

/// <summary>The two file formats Python's model zoos publish state dicts in.</summary>
public enum StateDictFormat
{
    /// <summary>Hugging Face's <c>.safetensors</c>: an 8-byte header length, a JSON index, then raw tensor bytes.</summary>
    Safetensors,
    /// <summary>PyTorch's <c>torch.save</c> (1.6 and later): a zip of a pickled dict and one file per storage (<c>.pt</c>, <c>.pth</c>, <c>.bin</c>).</summary>
    PyTorch,
}

/// <summary>
/// Reads and writes state dicts (parameter name → tensor) in the formats that pretrained models come in: safetensors and
/// PyTorch's zip files (through TorchSharp.PyBridge), so OpenAI/OpenCLIP CLIP and Hugging Face GPT-2 weights load as
/// they are published. Tensors keep the element type they have in the file (fp32, fp16, bf16...); loaders convert.
/// A TorchScript archive or a pre-1.6 PyTorch file is refused with an error saying how to convert it.
/// </summary>
public static class PythonStateDict
{
    /// <summary>The format of <paramref name="path"/> judged by its extension: <c>.safetensors</c>, else PyTorch.</summary>
    public static StateDictFormat FormatOf(string path) =>
        string.Equals(Path.GetExtension(path), ".safetensors", StringComparison.OrdinalIgnoreCase) ? StateDictFormat.Safetensors : StateDictFormat.PyTorch;

    /// <summary>
    /// The tensors of a state-dict file, by name, on the CPU. The format is recognised from the file's first bytes.
    /// A training checkpoint that nests the weights (<c>{"state_dict": {...}}</c>, as OpenCLIP's training writes) is
    /// unwrapped, and DistributedDataParallel's <c>module.</c> prefix removed.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a state dict this reads; the message names the file and says why.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint file not found.", path);
        byte[] head = new byte[16];
        int read;
        using (var probe = File.OpenRead(path)) read = probe.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        try
        {
            if (read >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return ReadPyTorchZip(path);
            if (read >= 2 && head[0] == 0x80 && head[1] <= 5)
                throw new InvalidDataException(
                    $"{path}: a PyTorch file in the legacy format of torch < 1.6, which this does not read. Re-save it in Python: " +
                    "torch.save(torch.load(\"OLD\", map_location=\"cpu\"), \"NEW.pt\") (or convert it to .safetensors).");
            if (read >= 9 && head[8] == '{') return Unnest(Safetensors.LoadStateDict(path), path);
        }
        catch (Exception e) when (e is not InvalidDataException and not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: could not read the state dict ({e.GetType().Name}: {e.Message}); the file may be truncated or damaged.", e);
        }
        throw new InvalidDataException(
            $"{path}: neither a safetensors file nor a PyTorch zip file (torch.save); it starts with bytes {Convert.ToHexString(head, 0, read)}.");
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> atomically in <paramref name="format"/> (by default the one the extension names),
    /// as Python's <c>safetensors.torch.save_file</c> or <c>torch.save(state_dict)</c> would, so Python reads it back.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, StateDictFormat? format = null)
    {
        // Both formats store contiguous CPU tensors; the caller's tensors are left untouched.
        var contiguous = tensors.ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
        try
        {
            AtomicFile.Write(path, stream =>
            {
                if ((format ?? FormatOf(path)) == StateDictFormat.Safetensors) Safetensors.SaveStateDict(stream, contiguous, leaveOpen: true);
                else PyTorchPickler.PickleStateDict(stream, InFileOrder(contiguous), leaveOpen: true);
            });
        }
        finally
        {
            foreach (var tensor in contiguous.Values) tensor.Dispose();
        }
    }

    /// <summary>The tensors in insertion order, so the file lists them in the model's order as PyTorch's OrderedDict does.</summary>
    static OrderedDictionary InFileOrder(Dictionary<string, Tensor> tensors)
    {
        var ordered = new OrderedDictionary(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors) ordered.Add(name, tensor);
        return ordered;
    }

    static Dictionary<string, Tensor> ReadPyTorchZip(string path)
    {
        using (var archive = ZipFile.OpenRead(path))
        {
            var names = archive.Entries.Select(e => e.FullName).ToList();
            if (names.Any(n => n.EndsWith("/constants.pkl", StringComparison.Ordinal) || n.Contains("/code/", StringComparison.Ordinal)))
                throw new InvalidDataException(
                    $"{path}: a TorchScript archive (torch.jit.save; OpenAI's original CLIP .pt downloads are these), not a state dict. " +
                    "Convert it in Python: m = torch.jit.load(\"IN.pt\", map_location=\"cpu\"); torch.save(m.state_dict(), \"OUT.pt\").");
            if (!names.Any(n => n.EndsWith("data.pkl", StringComparison.Ordinal)))
                throw new InvalidDataException($"{path}: a zip file without data.pkl, so not written by torch.save.");
        }
        var table = PyTorchUnpickler.UnpickleStateDict(File.OpenRead(path));
        return Unnest(table, path);
    }

    /// <summary>The tensors of a loaded dict, looking inside <c>state_dict</c>/<c>model</c> wrappers and dropping <c>module.</c>.</summary>
    static Dictionary<string, Tensor> Unnest(IDictionary table, string path)
    {
        foreach (var wrapper in new[] { "state_dict", "model" })
            if (table.Contains(wrapper) && table[wrapper] is IDictionary inner && !table.Values.OfType<Tensor>().Any())
                return Unnest(inner, path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Value is not Tensor tensor) continue;   // e.g. an "epoch" counter beside the weights
            string name = (string)entry.Key;
            tensors[name.StartsWith("module.", StringComparison.Ordinal) ? name["module.".Length..] : name] = tensor;
        }
        if (tensors.Count == 0) throw new InvalidDataException($"{path}: holds no tensors.");
        return tensors;
    }
}
