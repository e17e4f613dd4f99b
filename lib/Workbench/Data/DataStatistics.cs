using Workbench.Text;

namespace Workbench.Data;

/// <summary>Counts and distributions of a data set: what the data notebook and <c>workbench data stats</c> show.</summary>
/// <param name="Name">The data set.</param>
/// <param name="Count">Samples in the data set.</param>
/// <param name="Examined">Samples examined (the first N).</param>
/// <param name="Classes">Samples per class, where the source has classes.</param>
/// <param name="ObjectsPerScene">Scenes by number of objects.</param>
/// <param name="Kinds">Objects by kind (shape or garment).</param>
/// <param name="Colors">Objects by colour.</param>
/// <param name="Places">Objects by place.</param>
/// <param name="Sizes">Objects by size.</param>
/// <param name="CaptionLengths">Captions by length in words.</param>
/// <param name="QuestionKinds">Questions by kind.</param>
/// <param name="CaptionsPerSample">Mean captions per sample.</param>
/// <param name="DistinctCaptions">Distinct canonical (first) captions among the samples examined.</param>
/// <param name="VocabularySize">Words in a vocabulary built from all captions and questions examined (specials included).</param>
public sealed record DataStatistics(
    string Name, int Count, int Examined,
    IReadOnlyDictionary<string, int> Classes,
    IReadOnlyDictionary<int, int> ObjectsPerScene,
    IReadOnlyDictionary<string, int> Kinds,
    IReadOnlyDictionary<string, int> Colors,
    IReadOnlyDictionary<string, int> Places,
    IReadOnlyDictionary<string, int> Sizes,
    IReadOnlyDictionary<int, int> CaptionLengths,
    IReadOnlyDictionary<string, int> QuestionKinds,
    double CaptionsPerSample,
    int DistinctCaptions,
    int VocabularySize)
{
    /// <summary>Examines the first <paramref name="maxSamples"/> samples.</summary>
    public static DataStatistics Compute(IImageTextDataset data, int maxSamples = 2000)
    {
        int n = Math.Min(maxSamples, data.Count);
        var samples = Enumerable.Range(0, n).Select(data.Get).ToList();
        var objects = samples.SelectMany(s => s.Scene?.Objects ?? []).ToList();
        static SortedDictionary<TKey, int> Tally<TKey>(IEnumerable<TKey> keys) where TKey : notnull =>
            new(keys.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count()));
        var texts = samples.SelectMany(s => s.Captions.Concat(s.Questions.SelectMany(q => new[] { q.Question, q.Answer })));
        return new DataStatistics(
            data.Name, data.Count, n,
            data.ClassNames is { } names ? Tally(samples.Where(s => s.Label >= 0).Select(s => names[s.Label])) : new SortedDictionary<string, int>(),
            Tally(samples.Where(s => s.Scene is not null).Select(s => s.Scene!.Objects.Count)),
            Tally(objects.Select(o => o.Kind)),
            Tally(objects.Select(o => o.Color)),
            Tally(objects.Select(o => o.Place)),
            Tally(objects.Select(o => o.Size)),
            Tally(samples.SelectMany(s => s.Captions).Select(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length)),
            Tally(samples.SelectMany(s => s.Questions).Select(q => q.Kind)),
            samples.Average(s => s.Captions.Count),
            samples.Select(s => s.Captions.FirstOrDefault() ?? "").Distinct().Count(),
            WordTokenizer.Build(texts).VocabularySize);
    }

    /// <summary>A plain-text report, one distribution per paragraph.</summary>
    public override string ToString()
    {
        var lines = new List<string>
        {
            $"{Name}: {Count} samples ({Examined} examined)",
            $"captions per sample: {CaptionsPerSample:F1}; distinct canonical captions: {DistinctCaptions}; vocabulary: {VocabularySize} words",
        };
        void Add<TKey>(string title, IReadOnlyDictionary<TKey, int> counts) where TKey : notnull
        {
            if (counts.Count == 0) return;
            int total = counts.Values.Sum();
            lines.Add($"{title}:");
            foreach (var (key, value) in counts) lines.Add($"  {key,-16} {value,7}  {100.0 * value / total,5:F1}%");
        }
        Add("classes", Classes);
        Add("objects per scene", ObjectsPerScene);
        Add("kinds", Kinds);
        Add("colours", Colors);
        Add("places", Places);
        Add("sizes", Sizes);
        Add("caption length (words)", CaptionLengths);
        Add("question kinds", QuestionKinds);
        return string.Join(Environment.NewLine, lines);
    }
}
