using static TorchSharp.torch;

namespace Workbench.Training;

/// <summary>
/// What a method (CLIP, LLaVA, Flamingo, a toy MLP) gives the <see cref="Trainer"/>: the model, and the loss of each
/// micro-batch. Everything else is optional and has a default.
/// <para>
/// The data contract: the batch of (<c>step</c>, <c>microStep</c>) must be a pure function of the seed and those two
/// numbers (e.g. draw it from <c>new Random(mix(seed, step, microStep))</c>, or index a shuffled order fixed by the seed),
/// never from a generator that advances as training goes. That is what lets a run resumed from a checkpoint see
/// exactly the batches the uninterrupted run saw. A task that does keep advancing state saves and restores it through
/// <see cref="CaptureState"/> and <see cref="RestoreState"/>.
/// </para>
/// <para>
/// Order: the trainer seeds TorchSharp (<see cref="Trainer.Seed"/>) and only then calls the factory that builds the
/// task, so the model's initial weights are a function of the seed too.
/// </para>
/// </summary>
public interface ITrainingTask
{
    /// <summary>The module the trainer optimizes (its parameters with <c>requires_grad</c>; frozen ones are left alone).</summary>
    nn.Module Model { get; }

    /// <summary>Samples one optimizer step sees over all its micro-batches, for throughput; 0 when it has no meaning.</summary>
    int SamplesPerStep => 0;

    /// <summary>
    /// The mean loss (a scalar tensor) of micro-batch <paramref name="microStep"/> (0-based, below
    /// <see cref="TrainerConfig.AccumulationSteps"/>) of optimizer step <paramref name="step"/> (1-based).
    /// Called in training mode with gradients on, inside the trainer's per-step dispose scope.
    /// </summary>
    Tensor Loss(long step, int microStep);

    /// <summary>Held-out metrics (e.g. accuracy). Called in eval mode under <c>no_grad</c>; the trainer restores the
    /// random state afterwards, so evaluating does not change the training trajectory. Null: nothing to report.</summary>
    IReadOnlyDictionary<string, double>? Evaluate() => null;

    /// <summary>
    /// The learning rate of the parameter <paramref name="parameterName"/> (its name in <see cref="Model"/>) as a multiple
    /// of the schedule's: 1 for all by default. Flamingo's gates use their own (at a shared rate they barely open).
    /// </summary>
    double LearningRateScale(string parameterName) => 1.0;

    /// <summary>Runs under <c>no_grad</c> right after each optimizer update (CLIP clamps its logit scale here).</summary>
    void AfterOptimizerStep() { }

    /// <summary>
    /// Extra numbers to log for the step just taken (e.g. CLIP's temperature, Flamingo's gates), as scalar tensors on the
    /// model's device; null for none. Asked for on logging steps only, and read back to the host together with the loss
    /// in the trainer's one transfer per logging interval, so a task must not read them itself.
    /// </summary>
    IReadOnlyDictionary<string, Tensor>? StepMetrics(long step) => null;

    /// <summary>State of the task's own (non-TorchSharp) random generators or counters, saved with each checkpoint; null for none.</summary>
    byte[]? CaptureState() => null;

    /// <summary>Restores what <see cref="CaptureState"/> returned when a run resumes.</summary>
    void RestoreState(byte[] state) { }
}
