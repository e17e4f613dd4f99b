namespace Workbench.Data.Shapes;

/// <summary>
/// How a <see cref="ShapesWorld"/> is generated. Vary it with <c>with</c>:
/// <c>new ShapesWorldConfig() with { Split = Split.Test, ImageSize = 64 }</c>.
/// </summary>
public sealed record ShapesWorldConfig
{
    /// <summary>Width and height of the square images, in pixels; at least 32 (smaller makes small shapes unreadable).</summary>
    public int ImageSize { get; init; } = 32;
    /// <summary>Fewest objects in a scene (at least 1).</summary>
    public int MinObjects { get; init; } = 1;
    /// <summary>Most objects in a scene (at most 9, one per grid cell).</summary>
    public int MaxObjects { get; init; } = 3;
    /// <summary>Seeds every sample; the same seed, split and index always give the same sample.</summary>
    public int Seed { get; init; } = 0;
    /// <summary>Which split to generate.</summary>
    public Split Split { get; init; } = Split.Train;
    /// <summary>Samples in the train split.</summary>
    public int TrainCount { get; init; } = 10_000;
    /// <summary>Samples in the validation split.</summary>
    public int ValidationCount { get; init; } = 1_000;
    /// <summary>Samples in the test split.</summary>
    public int TestCount { get; init; } = 1_000;

    /// <summary>The number of samples of a split.</summary>
    public int CountOf(Split split) => split switch
    {
        Split.Train => TrainCount,
        Split.Validation => ValidationCount,
        Split.Test => TestCount,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "unknown split"),
    };
}
