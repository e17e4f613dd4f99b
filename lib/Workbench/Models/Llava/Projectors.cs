using TorchSharp;
using static TorchSharp.torch;

namespace Workbench.Models.Llava;

/// <summary>
/// LLaVA's projector, chosen by name as LLaVA's <c>build_vision_projector</c> does: it maps each vision token
/// (width Wv) to a language-model token embedding (width W). Add an entry here to make a new projector selectable.
/// </summary>
public static class Projectors
{
    /// <summary>One linear layer (LLaVA 1.0).</summary>
    public const string Linear = "linear";

    /// <summary>Linear → GELU → Linear (LLaVA 1.5).</summary>
    public const string Mlp2xGelu = "mlp2x_gelu";

    static readonly Dictionary<string, Func<int, int, nn.Module<Tensor, Tensor>>> Builders = new(StringComparer.OrdinalIgnoreCase)
    {
        [Linear] = (input, output) => nn.Linear(input, output),
        [Mlp2xGelu] = (input, output) => nn.Sequential(("0", nn.Linear(input, output)), ("1", nn.GELU()), ("2", nn.Linear(output, output))),
    };

    /// <summary>The names <see cref="Build"/> accepts.</summary>
    public static IReadOnlyCollection<string> Names => Builders.Keys;

    /// <summary>Builds the projector <paramref name="name"/> from vision width <paramref name="input"/> to language width <paramref name="output"/>.</summary>
    public static nn.Module<Tensor, Tensor> Build(string name, int input, int output) =>
        Builders.TryGetValue(name, out var build)
            ? build(input, output)
            : throw new ArgumentException($"Unknown projector '{name}'; choose one of: {string.Join(", ", Names)}.");
}
