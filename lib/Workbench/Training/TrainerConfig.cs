using System.Text.Json.Serialization;
using Workbench.Models;

namespace Workbench.Training;

/// <summary>
/// How a <see cref="Trainer"/> runs: the optimizer (AdamW), the learning-rate schedule, gradient handling,
/// how often it evaluates and checkpoints, the seed, and where files go. Vary it with <c>with</c>.
/// Defaults follow minGPT's trainer (AdamW, betas 0.9/0.95, weight decay 0.1, clip at 1.0);
/// methods override what their paper says (CLIP: betas 0.9/0.98, eps 1e-6, weight decay 0.2).
/// </summary>
public sealed record TrainerConfig
{
    /// <summary>Optimizer steps of the whole run. Steps are numbered 1..Steps; step s is the s-th parameter update.</summary>
    public long Steps { get; init; } = 1000;

    /// <summary>Peak learning rate, reached at the end of warm-up.</summary>
    public double LearningRate { get; init; } = 3e-4;

    /// <summary>Steps of linear warm-up from 0 to the peak (0: start at the peak; more than <see cref="Steps"/>: the peak is never reached).</summary>
    public long WarmupSteps { get; init; } = 100;

    /// <summary>The cosine decay ends at <c>MinLearningRateRatio * LearningRate</c> on the last step (1: constant after warm-up).</summary>
    public double MinLearningRateRatio { get; init; } = 0.1;

    /// <summary>Decoupled weight decay (Loshchilov and Hutter, 2019) for the parameters <see cref="WeightDecayGroups"/> says decay.</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Adam's moment coefficients (beta1, beta2).</summary>
    public (double Beta1, double Beta2) Betas { get; init; } = (0.9, 0.95);

    /// <summary>Adam's epsilon, added to the denominator.</summary>
    public double Eps { get; init; } = 1e-8;

    /// <summary>Largest global L2 norm of the gradients; larger ones are scaled down to it. Null: no clipping.</summary>
    public double? GradientClipNorm { get; init; } = 1.0;

    /// <summary>Micro-batches per optimizer step (1: no accumulation). Each micro loss is divided by this count.</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>Evaluate every this many steps, and always after the last step (0: only after the last step).</summary>
    public long EvalEvery { get; init; } = 100;

    /// <summary>Checkpoint every this many steps, and always after the last step (0: only after the last step). Needs <see cref="OutputDir"/>.</summary>
    public long CheckpointEvery { get; init; } = 500;

    /// <summary>How many of the newest checkpoints to keep (null: keep all).</summary>
    public int? KeepCheckpoints { get; init; } = 2;

    /// <summary>Seed of TorchSharp's generators, set before the task (and its model) is built.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// The precision of the matrix products in training steps and evaluations (<see cref="MixedPrecision"/>):
    /// <c>fp32</c>, or <c>bf16-mixed</c> (bfloat16 products, float32 weights, optimizer state, softmax, norms and losses).
    /// Left out of run.json at fp32, so that configurations from before it keep their hashes. Every preset sets it to
    /// <see cref="Runtime.PreferredPrecision.Current"/>: bf16-mixed where the CPU has bfloat16 instructions, else fp32.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Precision Precision { get; init; } = Precision.Fp32;

    /// <summary>
    /// Log every this many steps (null: every step). A logging step is the one time the host reads numbers back from
    /// the device: the mean loss over the interval, the gradient norm and the task's step metrics, in one transfer; the
    /// steps in between queue work without waiting for it, which is what keeps a GPU busy. The loss is also checked for
    /// NaN there, and logging always happens on the last step and on evaluation and checkpoint steps.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? LogEvery { get; init; }

    /// <summary>Folder for <c>log.jsonl</c> and <c>checkpoints/</c>; null writes no files.</summary>
    public string? OutputDir { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"TrainerConfig.Steps must be at least 1 (got {Steps}).");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException($"TrainerConfig.LearningRate must be positive and finite (got {LearningRate}).");
        if (WarmupSteps < 0) throw new ArgumentException($"TrainerConfig.WarmupSteps must not be negative (got {WarmupSteps}).");
        if (!(MinLearningRateRatio >= 0 && MinLearningRateRatio <= 1)) throw new ArgumentException($"TrainerConfig.MinLearningRateRatio must lie in [0, 1] (got {MinLearningRateRatio}).");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"TrainerConfig.WeightDecay must not be negative (got {WeightDecay}).");
        if (!(Betas.Beta1 >= 0 && Betas.Beta1 < 1 && Betas.Beta2 >= 0 && Betas.Beta2 < 1)) throw new ArgumentException($"TrainerConfig.Betas must lie in [0, 1) (got {Betas}).");
        if (!(Eps >= 0)) throw new ArgumentException($"TrainerConfig.Eps must not be negative (got {Eps}).");
        if (GradientClipNorm is double clip && !(clip > 0)) throw new ArgumentException($"TrainerConfig.GradientClipNorm must be positive or null (got {clip}).");
        if (AccumulationSteps < 1) throw new ArgumentException($"TrainerConfig.AccumulationSteps must be at least 1 (got {AccumulationSteps}).");
        if (EvalEvery < 0) throw new ArgumentException($"TrainerConfig.EvalEvery must not be negative (got {EvalEvery}).");
        if (CheckpointEvery < 0) throw new ArgumentException($"TrainerConfig.CheckpointEvery must not be negative (got {CheckpointEvery}).");
        if (LogEvery is long logEvery && logEvery < 1) throw new ArgumentException($"TrainerConfig.LogEvery must be at least 1 or null (got {logEvery}).");
        if (KeepCheckpoints is int keep && keep < 1) throw new ArgumentException($"TrainerConfig.KeepCheckpoints must be at least 1 or null (got {keep}).");
    }
}
