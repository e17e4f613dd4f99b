using Workbench.Text;

namespace Workbench.Data.Interleaved;

/// <summary>
/// The text that follows an image in a Flamingo document, in the workbench's one conversation format
/// (<see cref="ConversationFormat"/>): the image is the context, so <c>&lt;eoc&gt;</c> closes it and questions or a caption
/// request follow, exactly as they follow a caption in the language model's training text:
/// <c>&lt;image&gt; &lt;eoc&gt; question : what colour is the circle ? answer : red &lt;eos&gt;</c>. Answers and captions are
/// supervised; the rest is given.
/// </summary>
public static class InterleavedChunks
{
    /// <summary>A caption request answered: <c>&lt;eoc&gt; caption : {caption} &lt;eos&gt;</c>.</summary>
    public static IReadOnlyList<TextSegment> Caption(string caption) =>
        [new(ConversationFormat.EndOfContext + ConversationFormat.CaptionRequest, Supervised: false), new(ConversationFormat.Answer(caption).Trim())];

    /// <summary>Question-answer turns: <c>&lt;eoc&gt; question : {q} answer : {a} &lt;eos&gt;</c> ... (at least one turn).</summary>
    public static IReadOnlyList<TextSegment> Conversation(IEnumerable<QuestionAnswer> turns)
    {
        var segments = new List<TextSegment> { new(ConversationFormat.EndOfContext, Supervised: false) };
        foreach (var turn in turns)
        {
            segments.Add(new(ConversationFormat.Question(turn.Question).Trim(), Supervised: false));
            segments.Add(new(ConversationFormat.Answer(turn.Answer).Trim()));
        }
        if (segments.Count == 1) throw new ArgumentException("A conversation needs at least one question.", nameof(turns));
        return segments;
    }

    /// <summary>
    /// The answer to a question that is not shown: <c>&lt;eoc&gt; answer : {a} &lt;eos&gt;</c>. Which question was asked only the
    /// document's other images say, when each is followed by the answer to the same unseen question (in-context learning:
    /// <see cref="ImplicitQuestions"/>).
    /// </summary>
    public static IReadOnlyList<TextSegment> BareAnswer(string answer) =>
        [new(ConversationFormat.EndOfContext + AnswerRequest, Supervised: false), new(ConversationFormat.Answer(answer).Trim())];

    /// <summary>The open request of <see cref="BareAnswer"/>: <c>&lt;eoc&gt; answer :</c>, the question left to the examples before it.</summary>
    public static IReadOnlyList<TextSegment> OpenAnswer() => [new(ConversationFormat.EndOfContext + AnswerRequest, Supervised: false)];

    const string AnswerRequest = " answer :";

    /// <summary>A request left open for the model to answer: <c>&lt;eoc&gt; question : {q} answer :</c>, or <c>&lt;eoc&gt; caption :</c> without a question.</summary>
    public static IReadOnlyList<TextSegment> Prompt(string? question) => question is null
        ? [new(ConversationFormat.EndOfContext + ConversationFormat.CaptionRequest, Supervised: false)]
        : [new(ConversationFormat.EndOfContext, Supervised: false), new(ConversationFormat.Question(question).Trim(), Supervised: false)];
}
