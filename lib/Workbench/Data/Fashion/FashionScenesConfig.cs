namespace Workbench.Data.Fashion;

/// <summary>How <see cref="FashionScenes"/> are generated. Vary with <c>with</c>: <c>new FashionScenesConfig() with { MaxItems = 4 }</c>.</summary>
/// <param name="Seed">Seed of the generator: the same seed, split and index always give the same scene.</param>
/// <param name="TrainCount">Number of Train scenes.</param>
/// <param name="ValidationCount">Number of Validation scenes.</param>
/// <param name="TestCount">Number of Test scenes.</param>
/// <param name="MinItems">Fewest items in a scene (at least 1).</param>
/// <param name="MaxItems">Most items in a scene (at most 4, one per quadrant).</param>
/// <param name="BackgroundLevel">Grey level of the dark background, 0..255.</param>
/// <param name="Noise">Per-pixel background noise: uniform in [-Noise, Noise] grey levels; 0 for a flat background.</param>
public sealed record FashionScenesConfig(
    int Seed = 0,
    int TrainCount = 20_000,
    int ValidationCount = 2_000,
    int TestCount = 2_000,
    int MinItems = 1,
    int MaxItems = 2,
    int BackgroundLevel = 16,
    int Noise = 6)
{
    /// <summary>The number of scenes of a split.</summary>
    public int CountOf(Split split) => split switch
    {
        Split.Train => TrainCount,
        Split.Validation => ValidationCount,
        Split.Test => TestCount,
        _ => throw new ArgumentOutOfRangeException(nameof(split)),
    };

    /// <summary>Throws if a value is out of range, naming it.</summary>
    public void Validate()
    {
        if (TrainCount < 0 || ValidationCount < 0 || TestCount < 0)
            throw new ArgumentException($"scene counts must not be negative (train {TrainCount}, validation {ValidationCount}, test {TestCount})");
        if (MinItems < 1 || MaxItems > FashionScenes.Places || MinItems > MaxItems)
            throw new ArgumentException($"items per scene must satisfy 1 <= MinItems <= MaxItems <= {FashionScenes.Places}, got {MinItems}..{MaxItems}");
        if (Noise < 0 || BackgroundLevel - Noise < 0 || BackgroundLevel + Noise > 255)
            throw new ArgumentException($"background {BackgroundLevel} +- noise {Noise} must stay within 0..255");
    }
}
