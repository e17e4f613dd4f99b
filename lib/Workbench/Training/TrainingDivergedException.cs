namespace Workbench.Training;

/// <summary>
/// The loss (or, with clipping on, the gradient norm) became NaN or infinite. The trainer reads both on logging steps
/// only (<see cref="TrainerConfig.LogEvery"/>), so it finds this on the first logging step after it happened; it then
/// stops, writes no checkpoint of that state, and the last good checkpoint (if any) is the one to resume from, e.g. with
/// a lower learning rate.
/// </summary>
public sealed class TrainingDivergedException(long step, double loss, string? lastCheckpoint, double? gradientNorm = null, long? firstStep = null)
    : Exception($"Training diverged {(firstStep is long first && first < step ? $"between step {first} and step {step}" : $"at step {step}")}: " +
                $"the loss is {loss}" +
                (gradientNorm is double norm ? $" and the gradient norm is {norm}" : "") +
                ". The model holds that update now, and no checkpoint of this state was written; " +
                (lastCheckpoint is null ? "there is no earlier checkpoint." : $"the last good checkpoint is {lastCheckpoint}.") +
                " Lower the learning rate, lengthen warm-up or enable gradient clipping, and resume.")
{
    /// <summary>The logging step that found the loss not finite (the last step that ran).</summary>
    public long Step { get; } = step;

    /// <summary>The first step of the logging interval in which it happened (<see cref="Step"/> when every step logs).</summary>
    public long FirstStep { get; } = firstStep ?? step;

    /// <summary>The interval's mean loss (NaN or ±infinity, unless the gradient norm was the culprit).</summary>
    public double Loss { get; } = loss;

    /// <summary>The gradient norm, when that is what was not finite.</summary>
    public double? GradientNorm { get; } = gradientNorm;

    /// <summary>The newest checkpoint written before the divergence, or null.</summary>
    public string? LastCheckpoint { get; } = lastCheckpoint;
}
