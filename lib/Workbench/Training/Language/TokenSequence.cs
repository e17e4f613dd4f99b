using TorchSharp;
using Workbench.Data;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Training.Language;

/// <summary>
/// Token ids of one training sequence and which of them carry loss: a language model learns every token of a caption;
/// LLaVA and Flamingo learn only the answers (the image and the prompt are given, not predicted).
/// </summary>
/// <param name="Ids">The token ids.</param>
/// <param name="Supervised">Per id, whether predicting it counts in the loss.</param>
public sealed record TokenSequence(int[] Ids, bool[] Supervised)
{
    /// <summary>Tokens in the sequence.</summary>
    public int Length => Ids.Length;

    /// <summary>Encodes text segments one after another, each supervised or not.</summary>
    public static TokenSequence From(ITextTokenizer tokenizer, IEnumerable<(string Text, bool Supervised)> segments)
    {
        var ids = new List<int>();
        var supervised = new List<bool>();
        foreach (var (text, on) in segments)
        {
            var encoded = tokenizer.Encode(text);
            ids.AddRange(encoded);
            supervised.AddRange(Enumerable.Repeat(on, encoded.Length));
        }
        return new TokenSequence([.. ids], [.. supervised]);
    }

    /// <summary>
    /// <c>&lt;bos&gt; {context} &lt;eoc&gt;</c> then question-answer turns (see <see cref="ConversationFormat"/>). The answers and
    /// their end tokens are supervised; so is everything else when <paramref name="superviseAll"/> (language modelling).
    /// With <paramref name="questionFirst"/> the first question comes before the context (<see cref="ConversationFormat.Prompt"/>).
    /// </summary>
    public static TokenSequence Conversation(ITextTokenizer tokenizer, string context, IEnumerable<QuestionAnswer> turns, bool superviseAll,
        bool questionFirst = false)
    {
        var list = turns.ToList();
        var segments = questionFirst && list.Count > 0
            ? new[] { (ConversationFormat.Prompt(context, list[0].Question, questionFirst: true), superviseAll), (ConversationFormat.Answer(list[0].Answer), true) }
            : new[] { (ConversationFormat.Context(context), superviseAll) };
        return From(tokenizer, segments.Concat(list.Skip(questionFirst ? 1 : 0)
            .SelectMany(t => new[] { (ConversationFormat.Question(t.Question), superviseAll), (ConversationFormat.Answer(t.Answer), true) })));
    }

    /// <summary>
    /// <see cref="Conversation"/> with as many of <paramref name="turns"/> (in order) as fit in <paramref name="maxLength"/>
    /// tokens, counting <paramref name="extraTokens"/> more for what will be spliced in (an image's tokens stand for one);
    /// at least one turn is kept.
    /// </summary>
    public static TokenSequence FittedConversation(ITextTokenizer tokenizer, string context, IReadOnlyList<QuestionAnswer> turns,
        bool superviseAll, int maxLength, int extraTokens = 0, bool questionFirst = false)
    {
        int count = turns.Count;
        var sequence = Conversation(tokenizer, context, turns, superviseAll, questionFirst);
        while (sequence.Length + extraTokens > maxLength && count > 1)
            sequence = Conversation(tokenizer, context, turns.Take(--count), superviseAll, questionFirst);
        return sequence;
    }

    /// <summary><c>&lt;bos&gt; {context} &lt;eoc&gt; caption : {caption} &lt;eos&gt;</c>: the caption is supervised (and all else when <paramref name="superviseAll"/>).</summary>
    public static TokenSequence CaptionRequest(ITextTokenizer tokenizer, string context, string caption, bool superviseAll) =>
        From(tokenizer, [(ConversationFormat.Context(context) + ConversationFormat.CaptionRequest, superviseAll), (ConversationFormat.Answer(caption), true)]);

    /// <summary>
    /// Right-pads sequences into next-token pairs: inputs (B, T−1) are each sequence without its last token, targets
    /// (B, T−1) the sequence shifted by one, −100 (ignored by the loss) where the token is padding or unsupervised.
    /// </summary>
    public static (Tensor Inputs, Tensor Targets) Collate(IReadOnlyList<TokenSequence> sequences, int padId, Device device)
    {
        int length = sequences.Max(s => s.Length) - 1;
        var inputs = new long[sequences.Count * length];
        var targets = new long[sequences.Count * length];
        Array.Fill(inputs, padId);
        Array.Fill(targets, IgnoreIndex);
        for (int r = 0; r < sequences.Count; r++)
        {
            var s = sequences[r];
            for (int t = 0; t < s.Length - 1; t++)
            {
                inputs[r * length + t] = s.Ids[t];
                if (s.Supervised[t + 1]) targets[r * length + t] = s.Ids[t + 1];
            }
        }
        return (tensor(inputs, [sequences.Count, length], device: device), tensor(targets, [sequences.Count, length], device: device));
    }

    /// <summary>The target value that the cross-entropy loss skips.</summary>
    public const long IgnoreIndex = -100;
}
