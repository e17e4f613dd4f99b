namespace Workbench.Data.Files;

/// <summary>
/// Collects (image, captions, turns) rows into one record per image, in order of first appearance: several CSV
/// rows, JSONL lines, COCO annotations or LLaVA entries about the same image become one record.
/// </summary>
sealed class RecordGrouping(string imageRoot)
{
    sealed record Pending(string RelativePath, int Line, List<string> Captions, List<QuestionAnswer> Turns);

    readonly Dictionary<string, Pending> byPath = new(StringComparer.Ordinal);
    readonly List<Pending> order = [];

    /// <summary>Adds captions and turns to an image, creating its record on first sight.</summary>
    public void Add(string relativePath, int line, IEnumerable<string> captions, IEnumerable<QuestionAnswer>? turns = null)
    {
        if (!byPath.TryGetValue(relativePath, out var pending))
        {
            pending = new Pending(relativePath, line, [], []);
            byPath.Add(relativePath, pending);
            order.Add(pending);
        }
        pending.Captions.AddRange(captions.Select(c => c.Trim()));
        if (turns is not null) pending.Turns.AddRange(turns);
    }

    /// <summary>The records, in order of first appearance.</summary>
    public IReadOnlyList<ImageTextRecord> Records() =>
        order.Select(p => new ImageTextRecord(
            p.RelativePath, Path.GetFullPath(Path.Combine(imageRoot, p.RelativePath)), p.Captions, p.Turns, p.Line)).ToList();
}
