using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbench.Training;

/// <summary>
/// Splits a model's trainable parameters into those AdamW decays and those it leaves alone, as GPT-2/minGPT and
/// OpenCLIP do: decay pulls weights towards zero, which suits the matrices of linear and convolution layers but not
/// gains and biases (it would fight normalization) nor lookup tables (rare tokens would be pulled to zero).
/// <para>The rule: a parameter gets NO decay when</para>
/// <list type="bullet">
/// <item>it has fewer than 2 dimensions (biases, LayerNorm/BatchNorm gains, class tokens, logit scales), or</item>
/// <item>it belongs to an <see cref="Embedding"/> or <see cref="EmbeddingBag"/> module, or</item>
/// <item>its lower-case name contains one of <see cref="NoDecayNameMarkers"/> (raw parameters such as CLIP's
/// <c>positional_embedding</c> or ViT's <c>pos_embed</c> and <c>cls_token</c>).</item>
/// </list>
/// <para>Everything else decays. Parameters without <c>requires_grad</c> (frozen towers) are in neither group.</para>
/// </summary>
/// <param name="Decay">Parameters that get weight decay.</param>
/// <param name="NoDecay">Parameters that do not.</param>
public sealed record WeightDecayGroups(
    IReadOnlyList<(string Name, Parameter Parameter)> Decay,
    IReadOnlyList<(string Name, Parameter Parameter)> NoDecay)
{
    /// <summary>Name fragments that mark a parameter as an embedding, position, class token or logit scale.</summary>
    public static readonly IReadOnlyList<string> NoDecayNameMarkers =
        ["embedding", "pos_embed", "position", "cls_token", "class_token", "logit_scale"];

    /// <summary>Every trainable parameter, decayed ones first (the order the optimizer holds them).</summary>
    public IEnumerable<Parameter> All => Decay.Concat(NoDecay).Select(p => p.Parameter);

    /// <summary>Applies the rule to every trainable parameter of <paramref name="model"/>.</summary>
    public static WeightDecayGroups Split(nn.Module model)
    {
        var embeddingParameters = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (moduleName, module) in model.named_modules().Prepend(("", model)))
            if (module is Embedding or EmbeddingBag)
                foreach (var (name, _) in module.named_parameters(recurse: false))
                    embeddingParameters.Add(moduleName.Length == 0 ? name : $"{moduleName}.{name}");

        var decay = new List<(string, Parameter)>();
        var noDecay = new List<(string, Parameter)>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!parameter.requires_grad) continue;
            bool decays = parameter.dim() >= 2 && !embeddingParameters.Contains(name) && !HasNoDecayMarker(name);
            (decays ? decay : noDecay).Add((name, parameter));
        }
        return new WeightDecayGroups(decay, noDecay);
    }

    /// <summary>Whether the name marks an embedding, position, class token or logit scale.</summary>
    public static bool HasNoDecayMarker(string parameterName)
    {
        string lower = parameterName.ToLowerInvariant();
        return NoDecayNameMarkers.Any(marker => lower.Contains(marker, StringComparison.Ordinal));
    }
}
