namespace Workbench.Training.Runs;

/// <summary>How big a run is: every method's presets come in these three sizes.</summary>
public enum PresetSize
{
    /// <summary>Seconds: a handful of steps on small evaluations, to check that everything runs (its figures mean nothing).</summary>
    Smoke,
    /// <summary>Minutes on a laptop CPU.</summary>
    Quick,
    /// <summary>Longer and larger: a workstation or a GPU.</summary>
    Full,
}

/// <summary>The preset names every method accepts.</summary>
public static class Presets
{
    /// <summary>Seconds: does every cell run?</summary>
    public const string Smoke = "smoke";
    /// <summary>Minutes on a laptop CPU.</summary>
    public const string Quick = "quick";
    /// <summary>Longer and larger: a workstation or a GPU.</summary>
    public const string Full = "full";

    /// <summary>The size a preset name stands for; throws naming the choices for any other name.</summary>
    public static PresetSize Parse(string preset) => preset.ToLowerInvariant() switch
    {
        Smoke => PresetSize.Smoke,
        Quick => PresetSize.Quick,
        Full => PresetSize.Full,
        _ => throw new ArgumentException($"Unknown preset '{preset}': use {Smoke}, {Quick} or {Full}."),
    };
}
