using TorchSharp;
using Workbench.Data;
using Workbench.Data.Interleaved;
using Workbench.Evaluation;
using Workbench.Models.Flamingo;
using Workbench.Runtime;
using Workbench.Text;
using Workbench.Training.Language;
using Workbench.Training.VisionLanguage;
using static TorchSharp.torch;

namespace Workbench.Training.Flamingo;

/// <summary>
/// How well a Flamingo model answers about held-out images, scored as LLaVA is (<see cref="VisionLanguageEvaluation"/>:
/// exact match per kind, unseen scenes, the blind control, the prior), plus the caption token accuracy and Flamingo's
/// own test: few-shot prompting, the same test queries preceded by 0, 1, 2 or 4 training scenes with their answers.
/// </summary>
public static class FlamingoEvaluation
{
    /// <summary>Figures over the first <paramref name="samples"/> scenes of <paramref name="data"/>; <paramref name="full"/> adds the unseen split, the blind control and few-shot accuracies.</summary>
    public static IReadOnlyDictionary<string, double> Evaluate(FlamingoRun run, FlamingoModel model, IImageTextDataset data, int samples,
        string prefix = "", bool full = true) =>
        VisionLanguageEvaluation.Evaluate(run.Train, data, samples, (int)run.Config.Trainer.Seed, n => run.Features(model, data, n),
            features => questions => Answer(run, model, features, questions),
            (features, scenes) => FewShot(run, model, data, full ? scenes.Count : 0, features, full ? run.Config.FewShotEpisodes : 0)
                .Select(p => ($"few_shot_{p.Key}", p.Value))
                .Concat(FewShot(run, model, data, full ? scenes.Count : 0, features, full ? run.Config.FewShotEpisodes : 0, task: FewShotTask.ImplicitQuestion)
                    .Select(p => ($"few_shot_implicit_{p.Key}", p.Value)))
                .Prepend(($"{prefix}caption_token_accuracy", CaptionTokenAccuracy(run, model, features, scenes))), prefix, full);

    /// <summary>Greedy answers to questions, each about the image of feature row <c>Image</c>, asked zero-shot: <c>&lt;bos&gt; &lt;image&gt; &lt;eoc&gt; question : ... answer :</c>.</summary>
    public static IReadOnlyList<string> Answer(FlamingoRun run, FlamingoModel model, FrozenFeatures features,
        IReadOnlyList<(int Image, string Question)> questions, int batchSize = 256)
    {
        var answers = new List<string>();
        foreach (var chunk in questions.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var prompts = chunk.Select(q => QueryPrompt(run.Tokenizer, q.Question)).ToList();
            var media = features.Rows(chunk.Select(q => q.Image).ToList(), ComputeDevice.Current).unsqueeze(1);
            answers.AddRange(Answer(model, run.Tokenizer, prompts, media));
        }
        return answers;
    }

    /// <summary>The zero-shot prompt about one image: <c>&lt;bos&gt; &lt;image&gt;</c> and the open request (<see cref="InterleavedChunks.Prompt"/>).</summary>
    public static int[] QueryPrompt(ITextTokenizer tokenizer, string? question) =>
        [tokenizer.BeginId, tokenizer.ImageId!.Value, .. InterleavedChunks.Prompt(question).SelectMany(s => tokenizer.Encode(s.Text))];

    /// <summary>
    /// Greedy continuations of prompts (token ids with image tokens) about images given as tower features (B, M, N, Wv),
    /// row r's images in the order of its image tokens.
    /// </summary>
    public static IReadOnlyList<string> Answer(FlamingoModel model, ITextTokenizer tokenizer, IReadOnlyList<int[]> prompts, Tensor features, int maxTokens = 4)
    {
        using var scope = NewDisposeScope();
        var (ids, mask) = AnswerDecoding.LeftPad(prompts, tokenizer.PadId, features.device);
        var crossAttention = model.CrossAttention(model.Media(features), model.MostRecentImage(ids));
        return AnswerDecoding.Greedy(model.LanguageModel, tokenizer, model.Embed(ids), mask, maxTokens, crossAttention);
    }

    /// <summary>
    /// Exact-match accuracy of few-shot prompts by number of shots: episode e asks the same test query for every number of
    /// shots, its supports drawn from the first training scenes (the k-shot supports are the first k of the 4-shot ones).
    /// <paramref name="task"/> <see cref="FewShotTask.QuestionAnswering"/> writes each question out;
    /// <see cref="FewShotTask.ImplicitQuestion"/> leaves it out, so that only the supports say what is asked (none when the
    /// data has no scenes of one object).
    /// </summary>
    public static IReadOnlyDictionary<int, double> FewShot(FlamingoRun run, FlamingoModel model, IImageTextDataset data, int queries,
        FrozenFeatures queryFeatures, int episodes, int supportPool = 1000, FewShotTask task = FewShotTask.QuestionAnswering)
    {
        var results = new Dictionary<int, double>();
        if (episodes == 0) return results;
        using var scope = NewDisposeScope();
        var pool = new DatasetPrefix(run.Train, Math.Min(supportPool, run.Train.Count));
        var queryPool = new DatasetPrefix(data, queries);
        IReadOnlyDictionary<string, int[]>? supportKinds = null, queryKinds = null;
        if (task == FewShotTask.ImplicitQuestion)
        {
            (supportKinds, queryKinds) = (ImplicitQuestions.Pools(pool), ImplicitQuestions.Pools(queryPool));
            if (!supportKinds.Keys.Intersect(queryKinds.Keys).Any(k => supportKinds[k].Length >= FlamingoRunConfig.Shots.Max())) return results;
        }
        using var supportFeatures = run.Features(model, pool, pool.Count);
        var supportRow = Enumerable.Range(0, pool.Count).ToDictionary(pool.IdOf);
        var queryRow = Enumerable.Range(0, queryPool.Count).ToDictionary(queryPool.IdOf);
        foreach (int shots in FlamingoRunConfig.Shots)
        {
            var drawn = Enumerable.Range(0, episodes)
                .Select(e => StableHash.Combine(run.Config.Trainer.Seed, e, 0xF5) is var seed && task == FewShotTask.ImplicitQuestion
                    ? FewShotEpisode.DrawImplicit(pool, supportKinds!, queryPool, queryKinds!, shots, seed)
                    : FewShotEpisode.Draw(pool, queryPool, shots, seed, task))
                .ToList();
            int correct = 0;
            foreach (var chunk in drawn.Chunk(128))
            {
                using var chunkScope = NewDisposeScope();
                var prompts = chunk.Select(e => run.Tokenize(e.ToPrompt()).Ids).ToList();
                var media = FlamingoBatch.Stack(chunk.Select(e => cat([
                    .. e.Support.Select(s => supportFeatures.Rows([supportRow[s.Sample.Id]], ComputeDevice.Current)),
                    queryFeatures.Rows([queryRow[e.Query.Sample.Id]], ComputeDevice.Current)], 0)).ToList());
                var answers = Answer(model, run.Tokenizer, prompts, media);
                correct += chunk.Zip(answers).Count(p => AnswerAccuracy.Normalize(p.Second) == AnswerAccuracy.Normalize(p.First.Query.Answer));
            }
            results[shots] = (double)correct / episodes;
        }
        return results;
    }

    /// <summary>Teacher-forced next-token accuracy over the canonical caption's tokens, given the image.</summary>
    static double CaptionTokenAccuracy(FlamingoRun run, FlamingoModel model, FrozenFeatures features, IReadOnlyList<Sample> scenes, int batchSize = 256)
    {
        long correct = 0, total = 0;
        foreach (var chunk in Enumerable.Range(0, scenes.Count).Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var documents = chunk.Select(i => run.Tokenize(new InterleavedDocument(
                [new ImageSegment(0), .. InterleavedChunks.Caption(scenes[i].Captions[0])], [scenes[i].Image]))).ToList();
            var (ids, targets, media) = FlamingoBatch.Training(documents, chunk.Select(i => new[] { i }).ToList(), features,
                run.Tokenizer.PadId, run.Config.Language.ContextLength, ComputeDevice.Current);
            var logits = model.Logits(ids, media);
            var counted = targets.ne(TokenSequence.IgnoreIndex);
            correct += logits.argmax(-1).eq(targets).logical_and(counted).sum().item<long>();
            total += counted.sum().item<long>();
        }
        return total == 0 ? double.NaN : (double)correct / total;
    }
}
