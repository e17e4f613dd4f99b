using Workbench.Data;
using Workbench.Text;

namespace Workbench.Evaluation;

/// <summary>A model's answer to one held-out question.</summary>
/// <param name="Kind">The question's kind (colour, shape, count, exists, where...).</param>
/// <param name="Truth">The true answer.</param>
/// <param name="Predicted">What the model answered.</param>
/// <param name="Unseen">Whether the scene's content never occurs in training (see <see cref="SceneNovelty"/>).</param>
public sealed record AnsweredQuestion(string Kind, string Truth, string Predicted, bool Unseen = false)
{
    /// <summary>Exact match after lower-casing and tokenizing both (so "Red." equals "red .").</summary>
    public bool Correct => AnswerAccuracy.Normalize(Truth) == AnswerAccuracy.Normalize(Predicted);
}

/// <summary>Exact-match accuracy of answers, overall, per question kind, and over unseen scenes.</summary>
public static class AnswerAccuracy
{
    /// <summary>An answer as compared: its words, lower-cased, joined by single spaces.</summary>
    public static string Normalize(string answer) => string.Join(' ', WordTokenizer.Split(answer));

    /// <summary>
    /// <c>{prefix}</c> (all), <c>{prefix}_unseen</c> (where any are unseen) and <c>{prefix}_{kind}</c> for each kind; NaN
    /// for an empty group is left out.
    /// </summary>
    public static Dictionary<string, double> Score(IReadOnlyCollection<AnsweredQuestion> answers, string prefix)
    {
        var metrics = new Dictionary<string, double>();
        if (answers.Count == 0) return metrics;
        metrics[prefix] = answers.Average(a => a.Correct ? 1.0 : 0.0);
        var unseen = answers.Where(a => a.Unseen).ToList();
        if (unseen.Count > 0) metrics[$"{prefix}_unseen"] = unseen.Average(a => a.Correct ? 1.0 : 0.0);
        foreach (var kind in answers.GroupBy(a => a.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
            metrics[$"{prefix}_{kind.Key}"] = kind.Average(a => a.Correct ? 1.0 : 0.0);
        return metrics;
    }
}

/// <summary>
/// The best a blind answerer can do from the question alone: for each question text, its most frequent answer in
/// training (for a question never seen in training, the most frequent answer of its kind). The blind control of a
/// vision-language model should fall to about this.
/// </summary>
public sealed class MajorityAnswers
{
    readonly Dictionary<string, string> byQuestion;
    readonly Dictionary<string, string> byKind;

    /// <summary>Counts the answers of the training questions.</summary>
    public MajorityAnswers(IEnumerable<QuestionAnswer> training)
    {
        var list = training.ToList();
        static Dictionary<string, string> Majority(IEnumerable<IGrouping<string, QuestionAnswer>> groups) =>
            groups.ToDictionary(g => g.Key, g => g.GroupBy(q => AnswerAccuracy.Normalize(q.Answer))
                .OrderByDescending(a => a.Count()).ThenBy(a => a.Key, StringComparer.Ordinal).First().Key);
        byQuestion = Majority(list.GroupBy(q => AnswerAccuracy.Normalize(q.Question)));
        byKind = Majority(list.GroupBy(q => q.Kind));
    }

    /// <summary>The majority answer for a question.</summary>
    public string Answer(QuestionAnswer question) =>
        byQuestion.TryGetValue(AnswerAccuracy.Normalize(question.Question), out var a) ? a
        : byKind.TryGetValue(question.Kind, out var k) ? k : "";
}

/// <summary>
/// Which held-out scenes are new in content. A test scene counts as <em>unseen</em> when the multiset of its objects'
/// (colour, shape, size), places ignored, is not the multiset of any training scene: about a third of small-world
/// test scenes repeat a training scene's objects in another arrangement, and those would flatter a model that memorised.
/// </summary>
public sealed class SceneNovelty
{
    readonly HashSet<string> trainingContents;

    /// <summary>Reads the content of every training scene that has one.</summary>
    public SceneNovelty(IImageTextDataset training, int? limit = null)
    {
        trainingContents = new HashSet<string>(StringComparer.Ordinal);
        int n = Math.Min(limit ?? training.Count, training.Count);
        for (int i = 0; i < n; i++)
            if (training.Get(i).Scene is { } scene) trainingContents.Add(ContentOf(scene));
    }

    /// <summary>Whether a sample's scene content never occurs in training (false for samples without a scene).</summary>
    public bool IsUnseen(Sample sample) => sample.Scene is { } scene && !trainingContents.Contains(ContentOf(scene));

    /// <summary>The scene's objects as a sorted multiset of "colour size kind".</summary>
    public static string ContentOf(Scene scene) =>
        string.Join('|', scene.Objects.Select(o => $"{o.Color} {o.Size} {o.Kind}").OrderBy(s => s, StringComparer.Ordinal));
}
