namespace Workbench.Models;

/// <summary>
/// A module that registers weight matrices as raw parameters of its own (not through a <c>Linear</c> or a convolution),
/// such as an attention layer's fused <c>in_proj_weight</c>, and names them so that
/// <see cref="Training.WeightDecayGroups"/> decays them like the weights of a linear layer. Raw parameters a module
/// does not name here (position tables, class tokens, gates, temperatures) get no weight decay.
/// </summary>
public interface IHasWeightMatrices
{
    /// <summary>
    /// The local names (as the module registers them, without the path of the module) of this module's own parameters
    /// that are weight matrices used as linear maps; each must have at least two dimensions.
    /// </summary>
    IEnumerable<string> WeightMatrixNames { get; }
}
