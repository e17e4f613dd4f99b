namespace Workbench.Training.Runs;

/// <summary>
/// What a completed run's training cost, the x axes of ablation plots (<c>training.json</c> in the run folder):
/// parameters trained against accuracy, metric against compute (steps, samples seen).
/// </summary>
/// <param name="ParametersTrained">Elements of every parameter the optimizer updated (frozen towers excluded).</param>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="SamplesPerStep">Samples one step sees (0 when the task does not say).</param>
public sealed record TrainingSummary(long ParametersTrained, long Steps, int SamplesPerStep)
{
    /// <summary>Training samples seen over the run: steps times samples per step.</summary>
    public long SamplesSeen => Steps * SamplesPerStep;
}
