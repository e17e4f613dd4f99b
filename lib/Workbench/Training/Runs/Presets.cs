namespace Workbench.Training.Runs;

/// <summary>The preset names every method accepts.</summary>
public static class Presets
{
    /// <summary>Minutes on a laptop CPU.</summary>
    public const string Quick = "quick";
    /// <summary>Longer and larger: a workstation or a GPU.</summary>
    public const string Full = "full";

    /// <summary>Whether <paramref name="preset"/> is "full" (true) or "quick" (false); throws naming the choices otherwise.</summary>
    public static bool IsFull(string preset) =>
        preset.Equals(Full, StringComparison.OrdinalIgnoreCase) ? true
        : preset.Equals(Quick, StringComparison.OrdinalIgnoreCase) ? false
        : throw new ArgumentException($"Unknown preset '{preset}': use {Quick} or {Full}.");
}
