namespace Workbench.Data.Interleaved;

/// <summary>What a few-shot episode asks for.</summary>
public enum FewShotTask
{
    /// <summary>Describe the image: the answer is a caption, there is no question.</summary>
    Captioning,
    /// <summary>Answer a question about the image.</summary>
    QuestionAnswering,
    /// <summary>
    /// Answer a question that is not shown, of the kind the supports answer (<see cref="ImplicitQuestions"/>): zero-shot the
    /// model can only guess what is asked.
    /// </summary>
    ImplicitQuestion,
}

/// <summary>One image with its text in an episode: a question (null for captioning) and the answer or caption.</summary>
/// <param name="Sample">The sample the image comes from.</param>
/// <param name="Question">The question, or null for captioning.</param>
/// <param name="Answer">The answer, or the caption.</param>
/// <param name="QuestionHidden">The question is not written (<see cref="FewShotTask.ImplicitQuestion"/>): only <c>answer :</c> follows the image.</param>
public sealed record FewShotExample(Sample Sample, string? Question, string Answer, bool QuestionHidden = false)
{
    /// <summary>
    /// The text that follows the image in a prompt (<see cref="InterleavedChunks"/>): with the answer, a finished chunk
    /// (<c>&lt;eoc&gt; question : ... answer : red &lt;eos&gt;</c>); without it, the request left open for the model.
    /// </summary>
    public IReadOnlyList<TextSegment> Segments(bool withAnswer) =>
        QuestionHidden ? (withAnswer ? InterleavedChunks.BareAnswer(Answer) : InterleavedChunks.OpenAnswer())
        : withAnswer ? (Question is null ? InterleavedChunks.Caption(Answer) : InterleavedChunks.Conversation([new QuestionAnswer(Question, Answer, "")]))
        : InterleavedChunks.Prompt(Question);
}

/// <summary>
/// An in-context learning episode as Flamingo is evaluated (Alayrac et al. 2022, section 3): k support examples
/// shown with their answers, then one query whose answer the model must produce. Support and query come from a
/// seeded draw, so an episode is reproducible; the query is never one of the supports.
/// </summary>
/// <param name="Task">Captioning or question answering.</param>
/// <param name="Support">The k examples shown with their answers.</param>
/// <param name="Query">The example to answer; its <see cref="FewShotExample.Answer"/> is the expected output.</param>
public sealed record FewShotEpisode(FewShotTask Task, IReadOnlyList<FewShotExample> Support, FewShotExample Query)
{
    /// <summary>Draws an episode from one data set: k supports and a query, k + 1 distinct samples.</summary>
    public static FewShotEpisode Draw(IImageTextDataset dataset, int shots, int seed, FewShotTask task) =>
        Draw(dataset, dataset, shots, seed, task);

    /// <summary>
    /// Draws an episode with supports from one data set (usually the training split) and the query from another
    /// (usually the test split). Samples without a caption (captioning) or question (question answering) are
    /// skipped; a sample whose id is already drawn is never drawn again. Which caption or question is used is also
    /// drawn from the seed.
    /// </summary>
    /// <param name="supportPool">Where support examples come from.</param>
    /// <param name="queryPool">Where the query comes from (may be the same data set).</param>
    /// <param name="shots">k, the number of support examples (0 for zero-shot).</param>
    /// <param name="seed">Seed of the draw.</param>
    /// <param name="task">Captioning or question answering.</param>
    public static FewShotEpisode Draw(IImageTextDataset supportPool, IImageTextDataset queryPool, int shots, int seed, FewShotTask task)
    {
        if (task == FewShotTask.ImplicitQuestion)
            throw new ArgumentException("An implicit-question episode needs its kinds and pools: use DrawImplicit.", nameof(task));
        Check(supportPool, queryPool, shots);
        var random = new Random(seed);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var query = DrawExample(queryPool, random, used, task);
        var support = new List<FewShotExample>(shots);
        for (int i = 0; i < shots; i++) support.Add(DrawExample(supportPool, random, used, task));
        return new FewShotEpisode(task, support, query);
    }

    /// <summary>
    /// Draws an episode of <see cref="FewShotTask.ImplicitQuestion"/>: one kind of question from those both pools can ask
    /// implicitly (<see cref="ImplicitQuestions.Pools"/>), then the query and k supports, distinct samples that each answer a
    /// question of that kind; no question is written, so only the supports' answers say which kind it is.
    /// </summary>
    /// <param name="supportPool">Where support examples come from.</param>
    /// <param name="supportKinds">Per kind, the indices of <paramref name="supportPool"/> that answer it implicitly.</param>
    /// <param name="queryPool">Where the query comes from.</param>
    /// <param name="queryKinds">Per kind, the indices of <paramref name="queryPool"/> that answer it implicitly.</param>
    /// <param name="shots">k, the number of support examples.</param>
    /// <param name="seed">Seed of the draw.</param>
    public static FewShotEpisode DrawImplicit(IImageTextDataset supportPool, IReadOnlyDictionary<string, int[]> supportKinds,
        IImageTextDataset queryPool, IReadOnlyDictionary<string, int[]> queryKinds, int shots, int seed)
    {
        Check(supportPool, queryPool, shots);
        var kinds = supportKinds.Keys.Intersect(queryKinds.Keys).Where(k => supportKinds[k].Length >= shots && queryKinds[k].Length > 0)
            .Order(StringComparer.Ordinal).ToList();
        if (kinds.Count == 0)
            throw new ArgumentException($"{supportPool.Name} and {queryPool.Name}: no kind of question both can ask implicitly with {shots} supports " +
                "(implicit questions need scenes of one object)", nameof(supportKinds));
        var random = new Random(seed);
        string kind = kinds[random.Next(kinds.Count)];
        var query = Implicit(queryPool, queryKinds[kind][random.Next(queryKinds[kind].Length)], kind);
        var pool = supportKinds[kind].Where(i => supportPool.IdOf(i) != query.Sample.Id).ToArray();
        if (pool.Length < shots)
            throw new ArgumentException($"{supportPool.Name}: {pool.Length} samples answer \"{kind}\" implicitly, {shots} supports asked for", nameof(supportKinds));
        random.Shuffle(pool);
        var support = pool.Take(shots).Select(i => Implicit(supportPool, i, kind)).ToList();
        return new FewShotEpisode(FewShotTask.ImplicitQuestion, support, query);

        static FewShotExample Implicit(IImageTextDataset data, int index, string kind)
        {
            var sample = data.Get(index);
            var question = ImplicitQuestions.Of(sample, kind)
                ?? throw new ArgumentException($"{data.Name}: sample {sample.Id} does not answer a \"{kind}\" question implicitly", nameof(kind));
            return new FewShotExample(sample, question.Question, question.Answer, QuestionHidden: true);
        }
    }

    static void Check(IImageTextDataset supportPool, IImageTextDataset queryPool, int shots)
    {
        ArgumentNullException.ThrowIfNull(supportPool);
        ArgumentNullException.ThrowIfNull(queryPool);
        if (shots < 0) throw new ArgumentOutOfRangeException(nameof(shots), $"shots must not be negative, got {shots}");
        foreach (var pool in new[] { supportPool, queryPool })
            if (pool.Count == 0) throw new ArgumentException($"{pool.Name}: the data set is empty", nameof(supportPool));
    }

    /// <summary>
    /// The episode as one Flamingo prompt: each support image followed by its finished chunk, then the query image
    /// followed by its open request (<see cref="FewShotExample.Segments"/>), for the model to continue.
    /// </summary>
    public InterleavedDocument ToPrompt()
    {
        var segments = new List<InterleavedSegment>();
        var examples = Support.Append(Query).ToList();
        for (int i = 0; i < examples.Count; i++)
        {
            segments.Add(new ImageSegment(i));
            segments.AddRange(examples[i].Segments(withAnswer: i < Support.Count));
        }
        return new InterleavedDocument(segments, examples.Select(e => e.Sample.Image).ToList(), examples.Select(e => e.Sample.Id).ToList());
    }

    // Samples are drawn by index at random rather than from a shuffled list so that large data sets are not
    // generated in full; the bound on attempts turns a pool without usable samples into an error, not a hang.
    static FewShotExample DrawExample(IImageTextDataset pool, Random random, HashSet<string> used, FewShotTask task)
    {
        int attempts = Math.Max(1000, 20 * pool.Count);
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            var sample = pool.Get(random.Next(pool.Count));
            if (used.Contains(sample.Id)) continue;
            FewShotExample? example = task switch
            {
                FewShotTask.Captioning when sample.Captions.Count > 0 =>
                    new FewShotExample(sample, null, sample.Captions[random.Next(sample.Captions.Count)]),
                FewShotTask.QuestionAnswering when sample.Questions.Count > 0 =>
                    sample.Questions[random.Next(sample.Questions.Count)] is var qa ? new FewShotExample(sample, qa.Question, qa.Answer) : null,
                _ => null,
            };
            if (example is null) continue;
            used.Add(sample.Id);
            return example;
        }
        throw new InvalidOperationException(
            $"{pool.Name}: could not draw a further sample with {(task == FewShotTask.Captioning ? "a caption" : "a question")} " +
            $"not already in the episode ({used.Count} drawn, {pool.Count} in the data set)");
    }
}
