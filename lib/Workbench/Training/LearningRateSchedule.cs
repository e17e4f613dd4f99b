namespace Workbench.Training;

/// <summary>
/// Linear warm-up then cosine decay (Loshchilov and Hutter, "SGDR", 2017; the schedule of GPT and CLIP):
/// the learning rate of step s (1-based, the s-th update) is <c>peak * s / warmup</c> while s ≤ warmup,
/// then falls along half a cosine from the peak to <c>minRatio * peak</c>, which it reaches on the last step.
/// A pure function of the step, so a resumed run needs no schedule state beyond the step itself.
/// </summary>
/// <param name="Peak">The learning rate at the end of warm-up.</param>
/// <param name="WarmupSteps">Steps of linear warm-up (0: none).</param>
/// <param name="TotalSteps">The last step of the run.</param>
/// <param name="MinRatio">The floor, as a fraction of the peak.</param>
public sealed record LearningRateSchedule(double Peak, long WarmupSteps, long TotalSteps, double MinRatio)
{
    /// <summary>The schedule a trainer config describes.</summary>
    public static LearningRateSchedule From(TrainerConfig config) =>
        new(config.LearningRate, config.WarmupSteps, config.Steps, config.MinLearningRateRatio);

    /// <summary>The lowest learning rate, reached on the last step.</summary>
    public double Floor => MinRatio * Peak;

    /// <summary>The learning rate for step <paramref name="step"/> (step 0, before any update, gives 0 when there is warm-up).</summary>
    public double At(long step)
    {
        if (step <= 0) return WarmupSteps > 0 ? 0 : Peak;
        if (step <= WarmupSteps) return Peak * step / WarmupSteps;
        if (step >= TotalSteps) return Floor;
        double progress = (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps);
        return Floor + (Peak - Floor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
