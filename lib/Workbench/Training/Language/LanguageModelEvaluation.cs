using TorchSharp;
using Workbench.Data;
using Workbench.Evaluation;
using Workbench.Models.Language;
using Workbench.Runtime;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Training.Language;

/// <summary>
/// What a language model knows: held-out perplexity, and how well it answers questions with the caption in its context
/// (the ceiling a frozen-LM vision method can reach through image tokens that read like a caption) and without it
/// (what the question alone gives away), beside the majority-answer prior.
/// </summary>
public static class LanguageModelEvaluation
{
    /// <summary>Figures over the first <paramref name="samples"/> scenes of <paramref name="data"/>.</summary>
    public static IReadOnlyDictionary<string, double> Evaluate(LanguageModelRun run, GptModel model, IImageTextDataset data, int samples, string prefix = "")
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var tokenizer = run.Tokenizer;
        var scenes = Enumerable.Range(0, Math.Min(samples, data.Count)).Select(data.Get).ToList();
        var metrics = new Dictionary<string, double>();

        // Sequences as training builds them (the caption and its first few questions), perplexity over what training supervises.
        var sequences = scenes.Select(s => TokenSequence.FittedConversation(tokenizer, s.Captions[0], s.Questions.Take(run.Config.TurnsPerSequence).ToList(),
            run.Config.SuperviseEveryToken, run.Config.ContextLength, questionFirst: run.Config.QuestionFirst)).ToList();
        metrics[$"{prefix}perplexity"] = Perplexity(model, sequences, tokenizer.PadId);

        var questions = scenes.SelectMany(s => s.Questions.Select(q => (Scene: s, Question: q))).ToList();
        if (questions.Count == 0) return metrics;
        var withCaption = Answer(model, tokenizer, questions.Select(x => ConversationFormat.Prompt(x.Scene.Captions[0], x.Question.Question, run.Config.QuestionFirst)).ToList());
        var withoutCaption = Answer(model, tokenizer, questions.Select(x => ConversationFormat.Prompt("", x.Question.Question, run.Config.QuestionFirst)).ToList());
        foreach (var (name, answers) in new[] { ("answer_with_caption", withCaption), ("answer_without_caption", withoutCaption) })
            foreach (var (key, value) in AnswerAccuracy.Score(questions.Select((x, i) => new AnsweredQuestion(x.Question.Kind, x.Question.Answer, answers[i])).ToList(), prefix + name))
                metrics[key] = value;

        var majority = new MajorityAnswers(Enumerable.Range(0, Math.Min(run.Config.VocabularySamples, run.Train.Count)).SelectMany(i => run.Train.Get(i).Questions));
        metrics[$"{prefix}majority_baseline"] = questions.Average(x => AnswerAccuracy.Normalize(majority.Answer(x.Question)) == AnswerAccuracy.Normalize(x.Question.Answer) ? 1.0 : 0.0);
        return metrics;
    }

    /// <summary>exp of the mean next-token loss over the supervised tokens.</summary>
    public static double Perplexity(GptModel model, IReadOnlyList<TokenSequence> sequences, int padId, int batchSize = 128)
    {
        double total = 0;
        long count = 0;
        for (int start = 0; start < sequences.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var (inputs, targets) = TokenSequence.Collate(sequences.Skip(start).Take(batchSize).ToList(), padId, ComputeDevice.Current);
            var logits = model.forward(inputs);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1),
                ignore_index: TokenSequence.IgnoreIndex, reduction: nn.Reduction.Sum);
            total += loss.item<float>();
            count += targets.ne(TokenSequence.IgnoreIndex).sum().item<long>();
        }
        return Math.Exp(total / Math.Max(1, count));
    }

    /// <summary>Greedy answers to text prompts, in batches.</summary>
    public static IReadOnlyList<string> Answer(GptModel model, ITextTokenizer tokenizer, IReadOnlyList<string> prompts, int batchSize = 256)
    {
        var answers = new List<string>();
        for (int start = 0; start < prompts.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var ids = prompts.Skip(start).Take(batchSize).Select(tokenizer.Encode).ToList();
            var (tokens, mask) = AnswerDecoding.LeftPad(ids, tokenizer.PadId, ComputeDevice.Current);
            answers.AddRange(AnswerDecoding.Greedy(model, tokenizer, model.Embed(tokens), mask));
        }
        return answers;
    }
}
