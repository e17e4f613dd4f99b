using TorchSharp;
using static TorchSharp.torch;

namespace Workbench.Models.Pretrained;

/// <summary>Where one of the model's tensors sits in a published checkpoint layout.</summary>
/// <param name="Name">Its name in the checkpoint, e.g. <c>transformer.h.0.attn.c_attn.weight</c>.</param>
/// <param name="Transposed">The checkpoint stores the matrix transposed (GPT-2's Conv1D, CLIP's <c>proj</c> matrices).</param>
public sealed record ExternalName(string Name, bool Transposed = false);

/// <summary>A checkpoint does not fit the model built for it: every missing, unexpected and misshapen tensor, one per line.</summary>
public sealed class CheckpointLayoutException(string file, string layout, IReadOnlyList<string> problems)
    : Exception($"{file}: not a {layout} checkpoint this model fits ({problems.Count} problem(s)):{Environment.NewLine}  " +
                           string.Join(Environment.NewLine + "  ", problems))
{
    /// <summary>The checkpoint file.</summary>
    public string File { get; } = file;

    /// <summary>One line per tensor: <c>missing NAME (expected [..])</c>, <c>unexpected NAME [..]</c>, <c>NAME: expected [..], found [..]</c>.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Copies a published checkpoint's tensors into a workbench model, and back out, through a name mapping: the one piece
/// of code behind every pretrained layout (OpenAI/OpenCLIP CLIP, Hugging Face GPT-2), so that each layout only says how
/// its names differ from the model's. Nothing is copied unless every tensor fits; the error lists all that do not.
/// </summary>
public static class StateDictLayout
{
    /// <summary>
    /// Loads <paramref name="tensors"/> (from <paramref name="file"/>) into <paramref name="model"/>: each model tensor
    /// from the checkpoint tensor <paramref name="map"/> names, transposed where the layout stores it so, converted to the
    /// model's element type (fp16 and bf16 files load into fp32 models).
    /// </summary>
    /// <param name="model">The model, built with the configuration the checkpoint implies.</param>
    /// <param name="tensors">The checkpoint's tensors by name.</param>
    /// <param name="file">The checkpoint file, for messages.</param>
    /// <param name="layout">The layout's name, for messages ("OpenAI CLIP", "GPT-2").</param>
    /// <param name="map">The checkpoint name of each model tensor.</param>
    /// <param name="ignore">Checkpoint tensors that are not weights and are skipped (e.g. GPT-2's attention-mask buffers).</param>
    /// <param name="extraRows">Model tensors that may have more rows than the checkpoint's (an embedding table grown by
    /// new tokens): the checkpoint fills the first rows, the rest keep the model's values.</param>
    /// <exception cref="CheckpointLayoutException">A tensor is missing, unexpected or of another shape.</exception>
    public static void Load(nn.Module model, IReadOnlyDictionary<string, Tensor> tensors, string file, string layout,
        Func<string, ExternalName> map, Func<string, bool>? ignore = null, IReadOnlySet<string>? extraRows = null)
    {
        var problems = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var plan = new List<(Tensor Target, Tensor Source, bool Transposed)>();
        foreach (var (name, target) in model.state_dict())
        {
            var external = map(name);
            long[] expected = external.Transposed ? [.. target.shape.Reverse()] : target.shape;
            if (!tensors.TryGetValue(external.Name, out var source))
            {
                problems.Add($"missing {external.Name} (expected {Describe(expected)})");
                continue;
            }
            used.Add(external.Name);
            bool fits = source.shape.SequenceEqual(expected)
                || (extraRows?.Contains(name) == true && source.dim() == target.dim() && source.shape[0] <= expected[0]
                    && source.shape.Skip(1).SequenceEqual(expected.Skip(1)));
            if (!fits) problems.Add($"{external.Name}: expected {Describe(expected)}, found {Describe(source.shape)}");
            else plan.Add((target, source, external.Transposed));
        }
        foreach (var (name, tensor) in tensors)
            if (!used.Contains(name) && ignore?.Invoke(name) != true)
                problems.Add($"unexpected {name} {Describe(tensor.shape)}");
        if (problems.Count > 0) throw new CheckpointLayoutException(file, layout, problems);

        using var noGrad = no_grad();
        foreach (var (target, source, transposed) in plan)
        {
            using var value = (transposed ? source.t() : source.alias()).to(target.dtype);
            if (value.shape.SequenceEqual(target.shape)) target.copy_(value);
            else target[..(int)value.shape[0]].copy_(value);
        }
    }

    /// <summary>The model's tensors under their checkpoint names (transposed where the layout stores them so), for saving.</summary>
    public static Dictionary<string, Tensor> Export(nn.Module model, Func<string, ExternalName> map)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.state_dict())
        {
            var external = map(name);
            tensors.Add(external.Name, external.Transposed ? tensor.detach().t() : tensor.detach());
        }
        return tensors;
    }

    /// <summary>How many blocks <c>{prefix}N.</c> the tensors hold.</summary>
    public static int CountBlocks(IReadOnlyDictionary<string, Tensor> tensors, string prefix) =>
        tensors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => k[prefix.Length..].Split('.')[0]).Distinct().Count();

    /// <summary>A shape as <c>[768, 512]</c>.</summary>
    public static string Describe(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
