using Workbench.Data;
using Workbench.Text;
using Workbench.Training.Language;

namespace Workbench.Tests.Training.Language;

public sealed class QuestionFirstTests
{
    static readonly QuestionAnswer Colour = new("what colour is the circle?", "red", "colour");
    static readonly QuestionAnswer Count = new("how many shapes are there?", "two", "count");
    const string Caption = "a large red circle at the top and a small blue square on the left";

    static WordTokenizer Words() => WordTokenizer.Build([Caption, Colour.Question, Colour.Answer, Count.Question, Count.Answer, ConversationFormat.VocabularyText]);

    [Fact]
    public void APromptPutsTheQuestionBeforeOrAfterTheContext()
    {
        Assert.Equal("<bos> question : what colour is the circle? " + Caption + " <eoc> answer :",
            ConversationFormat.Prompt(Caption, Colour.Question, questionFirst: true));
        Assert.Equal("<bos> " + Caption + " <eoc> question : what colour is the circle? answer :",
            ConversationFormat.Prompt(Caption, Colour.Question));
    }

    [Fact]
    public void OnlyTheFirstQuestionMovesAndOnlyAnswersCarryLoss()
    {
        var words = Words();
        var sequence = TokenSequence.Conversation(words, Caption, [Colour, Count], superviseAll: false, questionFirst: true);
        string[] tokens = [.. sequence.Ids.Select(id => words.Decode([id]))];
        Assert.Equal("<bos> question : what colour is the circle ? " + Caption + " <eoc> answer : red <eos> question : how many shapes are there ? answer : two <eos>",
            string.Join(' ', tokens));
        var supervised = tokens.Where((_, i) => sequence.Supervised[i]).ToArray();
        Assert.Equal(["red", "<eos>", "two", "<eos>"], supervised);

        // The same turns context first differ only in where the first question stands.
        var contextFirst = TokenSequence.Conversation(words, Caption, [Colour, Count], superviseAll: false);
        Assert.Equal(sequence.Length, contextFirst.Length);
        Assert.Equal(sequence.Supervised.Count(s => s), contextFirst.Supervised.Count(s => s));
        Assert.Equal("<bos> " + Caption, words.Decode(contextFirst.Ids.Take(1 + Caption.Split(' ').Length)));
    }
}
