using TorchSharp;
using static TorchSharp.torch;

namespace Workbench.Training;

/// <summary>One tensor entry of a TorchSharp state-dict file.</summary>
/// <param name="Name">The parameter or buffer name, e.g. <c>encoder.0.weight</c>.</param>
/// <param name="Type">The element type.</param>
/// <param name="Shape">The shape.</param>
public sealed record StateDictEntry(string Name, ScalarType Type, long[] Shape)
{
    /// <summary>Shape and type as text, e.g. <c>[64, 8] Float32</c>.</summary>
    public string Describe() => Describe(Shape, Type);

    internal static string Describe(long[] shape, ScalarType type) => $"[{string.Join(", ", shape)}] {type}";
}

/// <summary>
/// Reads the table of contents of a file written by TorchSharp's <c>Module.save</c> without loading the data, so a
/// checkpoint can be checked against a model before anything is copied. The format (TorchSharp 0.107,
/// <c>Module.save_state_dict</c> and <c>TensorExtensionMethods.Save</c>): LEB128 entry count; per entry a
/// length-prefixed name, LEB128 element type, LEB128 rank, LEB128 dimensions, then the raw element bytes.
/// </summary>
public static class StateDictFile
{
    /// <summary>The entries of <paramref name="path"/> in file order; throws <see cref="InvalidDataException"/> naming the file when it is damaged.</summary>
    public static IReadOnlyList<StateDictEntry> ReadEntries(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint file not found.", path);
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        try
        {
            long count = DecodeLeb128(reader, path);
            var entries = new List<StateDictEntry>();
            for (long i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                var type = (ScalarType)DecodeLeb128(reader, path);
                var shape = new long[DecodeLeb128(reader, path)];
                for (int d = 0; d < shape.Length; d++) shape[d] = DecodeLeb128(reader, path);
                long bytes = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(type);
                if (stream.Position + bytes > stream.Length)
                    throw new InvalidDataException($"{path}: entry '{name}' runs past the end of the file (truncated checkpoint?).");
                stream.Seek(bytes, SeekOrigin.Current);
                entries.Add(new StateDictEntry(name, type, shape));
            }
            return entries;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: the file ends inside its table of contents (truncated checkpoint?).", e);
        }
    }

    /// <summary>
    /// Checks that <paramref name="path"/> holds exactly the parameters and buffers of <paramref name="model"/> with the
    /// same shapes and types, in the model's order; throws <see cref="CheckpointMismatchException"/> naming the first that differs.
    /// </summary>
    public static void Verify(string path, nn.Module model)
    {
        var found = ReadEntries(path).ToDictionary(e => e.Name, StringComparer.Ordinal);
        var expected = model.state_dict();
        foreach (var (name, tensor) in expected)
        {
            string wanted = StateDictEntry.Describe(tensor.shape, tensor.dtype);
            if (!found.TryGetValue(name, out var entry))
                throw new CheckpointMismatchException(path, name, wanted, "absent");
            if (!entry.Shape.SequenceEqual(tensor.shape) || entry.Type != tensor.dtype)
                throw new CheckpointMismatchException(path, name, wanted, entry.Describe());
        }
        foreach (var name in found.Keys.Where(n => !expected.ContainsKey(n)))
            throw new CheckpointMismatchException(path, name, "absent", found[name].Describe());
    }

    static long DecodeLeb128(BinaryReader reader, string path)
    {
        long result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = reader.ReadByte();
            result |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
            if (shift > 56) throw new InvalidDataException($"{path}: a length field is longer than 64 bits (not a TorchSharp state-dict file?).");
        }
    }

    static long ElementSize(ScalarType type)
    {
        using var probe = torch.empty(0, dtype: type);
        return probe.ElementSize;
    }
}
