using Workbench.Data;
using Workbench.Evaluation;
using static TorchSharp.torch;

namespace Workbench.Training.VisionLanguage;

/// <summary>
/// How LLaVA and Flamingo are scored on held-out scenes, the same way for both: exact-match answers per question kind,
/// over all scenes and over unseen ones (<see cref="SceneNovelty"/>), and the blind control, each question asked about
/// another scene's image (a derangement), beside the majority-answer prior the blind model should fall to. The method
/// says how it answers; this class says what is asked and how it counts.
/// </summary>
public static class VisionLanguageEvaluation
{
    /// <summary>Answers questions, each about the image of scene <c>Image</c> (an index into the scenes scored).</summary>
    public delegate IReadOnlyList<string> Answerer(IReadOnlyList<(int Image, string Question)> questions);

    /// <summary>
    /// The figures over the first <paramref name="samples"/> scenes of <paramref name="data"/>, under <c>no_grad</c>: the
    /// method's frozen-tower features of them (<paramref name="features"/>), its answers about them, and whatever figures
    /// of its own it adds from the same features (<paramref name="more"/>: the caption token accuracy, Flamingo's few-shot).
    /// </summary>
    public static Dictionary<string, double> Evaluate(IImageTextDataset train, IImageTextDataset data, int samples, int seed,
        Func<int, FrozenFeatures> features, Func<FrozenFeatures, Answerer> answer,
        Func<FrozenFeatures, IReadOnlyList<Sample>, IEnumerable<(string Name, double Value)>> more, string prefix = "", bool full = true)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int n = Math.Min(samples, data.Count);
        var scenes = Enumerable.Range(0, n).Select(data.Get).ToList();
        using var table = features(n);
        var metrics = Evaluate(train, scenes, seed, answer(table), prefix, full);
        foreach (var (name, value) in more(table, scenes)) metrics[name] = value;
        return metrics;
    }

    /// <summary>
    /// The figures over <paramref name="scenes"/>: <c>{prefix}vqa_exact_match</c> and per kind; with <paramref name="full"/>
    /// also <c>vqa_exact_match_unseen</c>, <c>vqa_exact_match_blind</c>, <c>majority_baseline</c>, <c>unseen_scenes</c>
    /// and <c>test_scenes</c>.
    /// </summary>
    /// <param name="train">The training split (what is unseen, the majority answers).</param>
    /// <param name="scenes">The held-out scenes.</param>
    /// <param name="seed">Seed of the blind control's derangement.</param>
    /// <param name="answer">The method's greedy answers.</param>
    /// <param name="prefix">Put before the accuracy names (e.g. "val_").</param>
    /// <param name="full">Add the unseen split, the blind control and the prior.</param>
    public static Dictionary<string, double> Evaluate(IImageTextDataset train, IReadOnlyList<Sample> scenes, int seed, Answerer answer,
        string prefix = "", bool full = true)
    {
        var questions = scenes.SelectMany((s, i) => s.Questions.Select(q => (Index: i, Question: q))).ToList();
        var metrics = new Dictionary<string, double>();
        var novelty = full ? new SceneNovelty(train) : null;
        var answers = answer(questions.Select(q => (q.Index, q.Question.Question)).ToList());
        var scored = questions.Select((q, k) => new AnsweredQuestion(q.Question.Kind, q.Question.Answer, answers[k],
            novelty?.IsUnseen(scenes[q.Index]) ?? false)).ToList();
        foreach (var (key, value) in AnswerAccuracy.Score(scored, prefix + "vqa_exact_match")) metrics[key] = value;
        if (!full) return metrics;

        metrics["unseen_scenes"] = scenes.Count(novelty!.IsUnseen);
        metrics["test_scenes"] = scenes.Count;
        var other = Derangement.Of(scenes.Count, seed);
        var blind = answer(questions.Select(q => ((int)other[q.Index], q.Question.Question)).ToList());
        metrics["vqa_exact_match_blind"] = questions.Select((q, k) => new AnsweredQuestion(q.Question.Kind, q.Question.Answer, blind[k]))
            .Average(a => a.Correct ? 1.0 : 0.0);
        var majority = new MajorityAnswers(Enumerable.Range(0, Math.Min(5000, train.Count)).SelectMany(i => train.Get(i).Questions));
        metrics["majority_baseline"] = questions.Average(q =>
            AnswerAccuracy.Normalize(majority.Answer(q.Question)) == AnswerAccuracy.Normalize(q.Question.Answer) ? 1.0 : 0.0);
        return metrics;
    }
}
