using TorchSharp;
using Workbench.Data;
using Workbench.Evaluation;
using Workbench.Models.Llava;
using Workbench.Runtime;
using Workbench.Text;
using Workbench.Training.Language;
using Workbench.Training.VisionLanguage;
using static TorchSharp.torch;

namespace Workbench.Training.Llava;

/// <summary>
/// How well a LLaVA model answers about held-out images: exact match per question kind, over all test scenes and over
/// unseen ones (<see cref="SceneNovelty"/>), the caption token accuracy, and the blind control (the same model given
/// another test scene's image), beside the majority-answer prior it should fall to.
/// </summary>
public static class LlavaEvaluation
{
    /// <summary>
    /// Figures over the first <paramref name="samples"/> scenes of <paramref name="data"/> (see
    /// <see cref="VisionLanguageEvaluation"/>) and the caption token accuracy; <paramref name="full"/> adds the unseen
    /// split and the blind control.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Evaluate(LlavaRun run, LlavaModel model, IImageTextDataset data, int samples,
        string prefix = "", bool full = true) =>
        VisionLanguageEvaluation.Evaluate(run.Train, data, samples, (int)run.Config.Trainer.Seed, n => run.Features(model, data, n),
            features => questions => Answer(run, model, features, questions),
            (features, scenes) => [($"{prefix}caption_token_accuracy", CaptionTokenAccuracy(run, model, features, scenes))], prefix, full);

    /// <summary>Greedy answers to questions, each about the image of feature row <c>Image</c>.</summary>
    public static IReadOnlyList<string> Answer(LlavaRun run, LlavaModel model, FrozenFeatures features,
        IReadOnlyList<(int Image, string Question)> questions, int batchSize = 256)
    {
        var tokenizer = run.Tokenizer;
        var answers = new List<string>();
        for (int start = 0; start < questions.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = questions.Skip(start).Take(batchSize).ToList();
            var prompts = chunk.Select(q => tokenizer.Encode(ConversationFormat.Prompt(SpecialTokens.Image, q.Question, run.Config.QuestionFirst))).ToList();
            answers.AddRange(Answer(model, tokenizer, prompts, features.Rows(chunk.Select(q => q.Image).ToList(), ComputeDevice.Current)));
        }
        return answers;
    }

    /// <summary>Greedy answers to prompts (token ids, each with one image token) about images given as tower features (B, N, Wv).</summary>
    public static IReadOnlyList<string> Answer(LlavaModel model, ITextTokenizer tokenizer, IReadOnlyList<int[]> prompts, Tensor features, int maxTokens = 4)
    {
        using var scope = NewDisposeScope();
        var (ids, mask) = AnswerDecoding.LeftPad(prompts, tokenizer.PadId, features.device);
        var embeddings = model.InputEmbeddings(ids, features);
        var positions = ImageSplice.ImagePositions(ids, model.ImageTokenId);
        var splicedMask = ImageSplice.SpliceTargets(mask.to_type(ScalarType.Int64), positions, model.ImageTokens, 1).to_type(ScalarType.Bool);
        return AnswerDecoding.Greedy(model.LanguageModel, tokenizer, embeddings, splicedMask, maxTokens);
    }

    /// <summary>Teacher-forced next-token accuracy over the canonical caption's tokens, given the image.</summary>
    static double CaptionTokenAccuracy(LlavaRun run, LlavaModel model, FrozenFeatures features, IReadOnlyList<Sample> scenes, int batchSize = 256)
    {
        long correct = 0, total = 0;
        for (int start = 0; start < scenes.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var indices = Enumerable.Range(start, Math.Min(batchSize, scenes.Count - start)).ToList();
            var sequences = indices.Select(i => TokenSequence.CaptionRequest(run.Tokenizer, SpecialTokens.Image, scenes[i].Captions[0], superviseAll: false)).ToList();
            var (tokens, targets) = TokenSequence.Collate(sequences, run.Tokenizer.PadId, ComputeDevice.Current);
            var rows = features.Rows(indices, ComputeDevice.Current);
            var logits = model.LanguageModel.Logits(model.InputEmbeddings(tokens, rows));
            var spliced = ImageSplice.SpliceTargets(targets, ImageSplice.ImagePositions(tokens, model.ImageTokenId), model.ImageTokens, TokenSequence.IgnoreIndex);
            var counted = spliced.ne(TokenSequence.IgnoreIndex);
            correct += logits.argmax(-1).eq(spliced).logical_and(counted).sum().item<long>();
            total += counted.sum().item<long>();
        }
        return total == 0 ? double.NaN : (double)correct / total;
    }
}
