namespace Workbench.Data.Interleaved;

/// <summary>
/// In-context learning with the question left out. Each image of a document (or a few-shot episode) is followed only by
/// <c>&lt;eoc&gt; answer : red &lt;eos&gt;</c>, the answer to a question of one kind (the colour, the shape, the place) that is
/// never written: only the answers to the images before it say what is being asked. With no example the model can only
/// guess the kind; after one it can read the kind off the example's answer. This is the ability Flamingo's few-shot
/// results rest on (Alayrac et al. 2022, §3: the task is specified by the examples), which the explicit questions of the
/// ordinary few-shot episodes never need, since their query already says what it asks.
/// <para>
/// The unseen question must mean the same for every image, so only scenes of one object take part (in a scene of two,
/// "the colour" would not say of which object), and only kinds such a scene asks exactly one question of.
/// </para>
/// </summary>
public static class ImplicitQuestions
{
    /// <summary>
    /// The question of <paramref name="kind"/> that <paramref name="sample"/> answers when asked implicitly: its only question of
    /// that kind, in a scene of one object; null when the sample has no scene, more than one object, or not exactly one such question.
    /// </summary>
    public static QuestionAnswer? Of(Sample sample, string kind)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Scene is not { Objects.Count: 1 }) return null;
        QuestionAnswer? found = null;
        foreach (var question in sample.Questions)
        {
            if (question.Kind != kind) continue;
            if (found is not null) return null;
            found = question;
        }
        return found;
    }

    /// <summary>
    /// The kinds that can be asked implicitly in <paramref name="data"/> (those its one-object scenes ask exactly one question
    /// of, in ordinal order, keeping those at least half of them ask), and for each the indices among its first
    /// <paramref name="limit"/> samples of those that answer one.
    /// Empty when the data has no one-object scenes (real images, caption files).
    /// </summary>
    public static IReadOnlyDictionary<string, int[]> Pools(IImageTextDataset data, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var pools = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        int count = Math.Min(limit ?? data.Count, data.Count), oneObject = 0;
        for (int i = 0; i < count; i++)
        {
            var sample = data.Get(i);
            if (sample.Scene is not { Objects.Count: 1 }) continue;
            oneObject++;
            foreach (var kind in sample.Questions.Select(q => q.Kind).Distinct())
                if (Of(sample, kind) is not null)
                    (pools.TryGetValue(kind, out var pool) ? pool : pools[kind] = []).Add(i);
        }
        // A kind only some one-object scenes ask once (e.g. a count asked both of all shapes and of one kind) is no task.
        return pools.Where(p => 2 * p.Value.Count >= oneObject).ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }
}
