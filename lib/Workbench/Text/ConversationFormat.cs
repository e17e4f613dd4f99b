namespace Workbench.Text;

/// <summary>
/// How the language model, LLaVA and Flamingo write a context (a caption, or an image) followed by questions and
/// answers, so that one format runs through all three. A text-only sequence reads
/// <c>&lt;bos&gt; a red circle at the top &lt;eoc&gt; question : what colour is the circle ? answer : red &lt;eos&gt;</c>;
/// a multimodal one has <c>&lt;image&gt;</c> where the caption stood. The language model learns to answer from a caption
/// in its context; LLaVA then teaches image tokens to read like that caption.
/// </summary>
public static class ConversationFormat
{
    /// <summary>What closes the context (caption or image) before the questions.</summary>
    public const string EndOfContext = SpecialTokens.EndOfChunk;

    /// <summary>The words the format adds, which every vocabulary must hold.</summary>
    public static readonly IReadOnlyList<string> FormatWords = ["question", "answer", "caption", ":", "?"];

    /// <summary>The context part: <c>&lt;bos&gt; {context} &lt;eoc&gt;</c>.</summary>
    public static string Context(string context) => $"{SpecialTokens.Begin} {context} {EndOfContext}";

    /// <summary>A question waiting for its answer: <c>question : {question} answer :</c>.</summary>
    public static string Question(string question) => $" question : {question} answer :";

    /// <summary>
    /// One question about a context, waiting for its answer. Context first: <c>&lt;bos&gt; {context} &lt;eoc&gt; question :
    /// {question} answer :</c>. Question first (<paramref name="questionFirst"/>): <c>&lt;bos&gt; question : {question} {context}
    /// &lt;eoc&gt; answer :</c>, so that under the causal mask the context's tokens (a caption's words, an image's tokens)
    /// can already attend to the question, as LLaVA's training data puts the image after the first question half the
    /// time; the answer then has only to gather what the context marked, not look it up itself.
    /// </summary>
    public static string Prompt(string context, string question, bool questionFirst = false) => questionFirst
        ? $"{SpecialTokens.Begin} question : {question} {context} {EndOfContext} answer :"
        : Context(context) + Question(question);

    /// <summary>An answer and the end of the turn: <c>{answer} &lt;eos&gt;</c>.</summary>
    public static string Answer(string answer) => $" {answer} {SpecialTokens.End}";

    /// <summary>A request for a description, <c>caption :</c>, answered by a caption and <c>&lt;eos&gt;</c>.</summary>
    public const string CaptionRequest = " caption :";

    /// <summary>Text that makes the vocabulary cover the format.</summary>
    public static string VocabularyText => string.Join(' ', FormatWords);
}
