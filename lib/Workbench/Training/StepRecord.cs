namespace Workbench.Training;

/// <summary>
/// What the steps since the previous logging step did (one step unless <see cref="TrainerConfig.LogEvery"/> is set); one
/// line of <c>log.jsonl</c>.
/// </summary>
/// <param name="Step">The logging step (1-based).</param>
/// <param name="Loss">The mean loss over the interval's steps and their micro-batches, each taken before its update.</param>
/// <param name="LearningRate">The learning rate this step's update used.</param>
/// <param name="StepsPerSecond">Throughput of the interval (forward, backward and update; evaluation and checkpoints excluded).</param>
/// <param name="SamplesPerSecond">Samples per second, when the task says how many samples a step sees.</param>
/// <param name="Metrics">Extra numbers: <c>grad_norm</c> (the norm before clipping, when clipping is on) and the task's own.</param>
/// <param name="Evaluation">Held-out metrics, on steps where the trainer evaluated.</param>
public sealed record StepRecord(
    long Step,
    double Loss,
    double LearningRate,
    double StepsPerSecond,
    double? SamplesPerSecond,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, double>? Evaluation = null);

/// <summary>The held-out metrics of one evaluation.</summary>
/// <param name="Step">The step after which the model was evaluated.</param>
/// <param name="Metrics">The task's metrics (e.g. accuracy).</param>
public sealed record EvaluationRecord(long Step, IReadOnlyDictionary<string, double> Metrics);
