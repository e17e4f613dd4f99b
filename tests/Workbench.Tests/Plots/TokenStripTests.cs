using Workbench.Data;
using Workbench.Plots;
using Workbench.Text;
using Workbench.Training.Language;

namespace Workbench.Tests.Plots;

public sealed class TokenStripTests
{
    static readonly WordTokenizer Tokenizer = WordTokenizer.Build(["a red circle", "what colour is the circle ?", ConversationFormat.VocabularyText]);

    [Fact]
    public void SupervisedCellsAreExactlyTheAnswerTokens()
    {
        var sequence = TokenSequence.Conversation(Tokenizer, "a red circle", [new QuestionAnswer("what colour is the circle ?", "red", "colour")], superviseAll: false);

        var row = TokenStrip.Row("one", Tokenizer, sequence.Ids, sequence.Supervised);

        Assert.Equal(sequence.Length, row.Cells.Count);
        var supervised = row.Cells.Where(c => c.Role == TokenRole.Supervised).Select(c => c.Text).ToList();
        Assert.Equal(Tokenizer.Encode(ConversationFormat.Answer("red")).Select(Tokenizer.TokenOf), supervised);
        Assert.Equal(SpecialTokens.Begin, row.Cells[0].Text);
        Assert.Equal(TokenRole.Context, row.Cells[0].Role);
    }

    [Fact]
    public void TheImageTokenBecomesOneSlotPerProjectedToken()
    {
        var ids = Tokenizer.Encode(ConversationFormat.Context(SpecialTokens.Image) + ConversationFormat.Question("what colour is the circle ?"));

        var spliced = TokenStrip.Row("spliced", Tokenizer, ids, imageSlots: 5);
        var unspliced = TokenStrip.Row("prompt", Tokenizer, ids);

        // As LLaVA's splice: T − 1 + N positions, the N image slots where <image> stood.
        Assert.Equal(ids.Length - 1 + 5, spliced.Cells.Count);
        Assert.Equal(["v0", "v1", "v2", "v3", "v4"], spliced.Cells.Skip(1).Take(5).Select(c => c.Text));
        Assert.All(spliced.Cells.Skip(1).Take(5), c => Assert.Equal(TokenRole.Image, c.Role));
        Assert.Equal(SpecialTokens.EndOfChunk, spliced.Cells[6].Text);
        Assert.Equal(ids.Length, unspliced.Cells.Count);
        Assert.Equal(new TokenCell(SpecialTokens.Image, TokenRole.Image), unspliced.Cells[1]);
    }

    [Fact]
    public void PaddingIsMarkedAndTextIsEscaped()
    {
        var strip = new TokenStrip([TokenStrip.Row("padded", Tokenizer, [Tokenizer.PadId, Tokenizer.BeginId, .. Tokenizer.Encode("red")], [false, false, true])]);

        Assert.Equal([TokenRole.Padding, TokenRole.Context, TokenRole.Supervised], strip.Rows[0].Cells.Select(c => c.Role));
        string html = strip.ToHtml();
        Assert.Contains("&lt;bos&gt;", html);
        Assert.DoesNotContain("<bos>", html);
        Assert.Equal("padded: <bos> [red]", strip.ToString());
        Assert.Throws<ArgumentException>(() => TokenStrip.Row("bad", Tokenizer, [1, 2], [true]));
    }
}
