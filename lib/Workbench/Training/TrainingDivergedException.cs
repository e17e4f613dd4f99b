namespace Workbench.Training;

/// <summary>
/// The loss (or, with clipping on, the gradient norm) became NaN or infinite. The trainer stops before updating the
/// parameters with it and writes no checkpoint of that state, so the last good checkpoint (if any) is the one to
/// resume from, e.g. with a lower learning rate.
/// </summary>
public sealed class TrainingDivergedException(long step, double loss, string? lastCheckpoint, double? gradientNorm = null)
    : Exception($"Training diverged at step {step}: the loss is {loss}" +
                (gradientNorm is double norm ? $" and the gradient norm is {norm}" : "") +
                ". The parameters were not updated with it and no checkpoint " +
                "of this state was written; " +
                (lastCheckpoint is null ? "there is no earlier checkpoint." : $"the last good checkpoint is {lastCheckpoint}.") +
                " Lower the learning rate, lengthen warm-up or enable gradient clipping, and resume.")
{
    /// <summary>The step whose loss was not finite.</summary>
    public long Step { get; } = step;

    /// <summary>The step's loss (NaN or ±infinity, unless the gradient norm was the culprit).</summary>
    public double Loss { get; } = loss;

    /// <summary>The gradient norm, when that is what was not finite.</summary>
    public double? GradientNorm { get; } = gradientNorm;

    /// <summary>The newest checkpoint written before the divergence, or null.</summary>
    public string? LastCheckpoint { get; } = lastCheckpoint;
}
