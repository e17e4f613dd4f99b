using TorchSharp.Modules;
using Workbench.Models;
using static TorchSharp.torch;

namespace Workbench.Training;

/// <summary>
/// Splits a model's trainable parameters into those AdamW decays and those it leaves alone, by the kind of module that
/// owns each parameter, as nanoGPT and minGPT do: decay pulls weights towards zero, which suits the matrices of
/// linear maps but not gains and biases (it would fight normalization) nor lookup tables (rare tokens would be pulled
/// to zero).
/// <para>The rule: a parameter decays when it is</para>
/// <list type="bullet">
/// <item>a weight with at least 2 dimensions of a <see cref="Linear"/>, <see cref="Bilinear"/> or convolution
/// (<see cref="Convolution"/>) module, or</item>
/// <item>a raw parameter its module names in <see cref="IHasWeightMatrices.WeightMatrixNames"/>.</item>
/// </list>
/// <para>Everything else does not: biases, the tables of <see cref="Embedding"/> modules, norms' gains and shifts, and
/// raw parameters a module registers without naming them (position tables, class tokens, the temperature). The
/// parameters' names play no part. Parameters without <c>requires_grad</c> (frozen towers) are in neither group.</para>
/// </summary>
/// <param name="Decay">Parameters that get weight decay.</param>
/// <param name="NoDecay">Parameters that do not.</param>
public sealed record WeightDecayGroups(
    IReadOnlyList<(string Name, Parameter Parameter)> Decay,
    IReadOnlyList<(string Name, Parameter Parameter)> NoDecay)
{
    /// <summary>Every trainable parameter, decayed ones first (the order the optimizer holds them).</summary>
    public IEnumerable<Parameter> All => Decay.Concat(NoDecay).Select(p => p.Parameter);

    /// <summary>Applies the rule to every trainable parameter of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">A module names a weight matrix it does not own, or one with fewer than 2 dimensions.</exception>
    public static WeightDecayGroups Split(nn.Module model)
    {
        var decaying = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (moduleName, module) in model.named_modules().Prepend(("", model)))
            foreach (var name in WeightMatricesOf(module))
                decaying.Add(moduleName.Length == 0 ? name : $"{moduleName}.{name}");

        var decay = new List<(string, Parameter)>();
        var noDecay = new List<(string, Parameter)>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!parameter.requires_grad) continue;
            (decaying.Contains(name) ? decay : noDecay).Add((name, parameter));
        }
        return new WeightDecayGroups(decay, noDecay);
    }

    /// <summary>The local names of the module's own parameters that are weight matrices of linear maps.</summary>
    static IEnumerable<string> WeightMatricesOf(nn.Module module)
    {
        var own = module.named_parameters(recurse: false).ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        if (module is Linear or Bilinear or Convolution)
            return own.Where(p => p.Value.dim() >= 2).Select(p => p.Key).ToList();
        if (module is not IHasWeightMatrices declared) return [];
        var names = declared.WeightMatrixNames.ToList();
        foreach (var name in names)
        {
            if (!own.TryGetValue(name, out var parameter))
                throw new ArgumentException(
                    $"{module.GetType().Name} names '{name}' as a weight matrix, but it has no parameter of its own by that name " +
                    $"(its own: {(own.Count == 0 ? "none" : string.Join(", ", own.Keys))}).");
            if (parameter.dim() < 2)
                throw new ArgumentException(
                    $"{module.GetType().Name} names '{name}' as a weight matrix, but it has {parameter.dim()} dimension(s); a weight matrix has at least 2.");
        }
        return names;
    }
}
