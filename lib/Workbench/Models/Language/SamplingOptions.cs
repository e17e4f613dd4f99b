namespace Workbench.Models.Language;

/// <summary>How <see cref="TextGeneration"/> picks each next token.</summary>
/// <param name="MaxNewTokens">Most tokens to generate per row.</param>
/// <param name="Greedy">Always take the most likely token (then Temperature and TopK are ignored).</param>
/// <param name="Temperature">Divides the logits before sampling: below 1 sharpens, above 1 flattens.</param>
/// <param name="TopK">Sample only among the K most likely tokens; null: all.</param>
/// <param name="StopToken">A row ends when it emits this token (which is not returned); null: run to MaxNewTokens.</param>
/// <param name="Seed">Seed of the sampling generator.</param>
public sealed record SamplingOptions(int MaxNewTokens = 16, bool Greedy = true, double Temperature = 1.0, int? TopK = null,
    int? StopToken = null, long Seed = 0)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MaxNewTokens < 1) throw new ArgumentException($"MaxNewTokens must be at least 1 (got {MaxNewTokens}).");
        if (!(Temperature > 0) || !double.IsFinite(Temperature)) throw new ArgumentException($"Temperature must be positive (got {Temperature}).");
        if (TopK is int k && k < 1) throw new ArgumentException($"TopK must be at least 1 (got {k}).");
    }
}
