using Workbench.Text;

namespace Workbench.Tests.Text;

public sealed class Gpt2TokenizerTests
{
    static readonly Gpt2Tokenizer Tokenizer = Gpt2Tokenizer.Create();

    // Ids from GPT-2's published vocabulary, read in the gpt2.tiktoken file the data package ships (a token's id is its
    // line, counting from 0 after the "Capacity" header): "Hello" 15496, " world" 995, " the" 262, "a" 64, " red" 2266,
    // " circle" 9197, "question" 25652, " :" 1058, " what" 644, " colour" 9568, " is" 318, " ?" 5633, " answer" 3280,
    // " café" 40304, "\n" 198, "!" 0.
    [Theory]
    [InlineData("Hello world", new[] { 15496, 995 })]
    [InlineData(" the", new[] { 262 })]
    [InlineData("a red circle", new[] { 64, 2266, 9197 })]
    [InlineData("question : what colour is the circle ? answer : red", new[] { 25652, 1058, 644, 9568, 318, 262, 9197, 5633, 3280, 1058, 2266 })]
    [InlineData(" café!\n", new[] { 40304, 0, 198 })]
    public void OrdinaryTextGetsGpt2sOwnIds(string text, int[] ids)
    {
        Assert.Equal(ids, Tokenizer.Encode(text));
        Assert.Equal(text, Tokenizer.Decode(ids));
    }

    [Fact]
    public void TheSpecialIdsFollowGpt2sVocabularyAndBeginAndEndShareEndOfText()
    {
        Assert.Equal(50260, Tokenizer.VocabularySize);
        Assert.Equal((50256, 50256, 50259, 50257, 50258),
            (Tokenizer.BeginId, Tokenizer.EndId, Tokenizer.PadId, Tokenizer.ImageId, Tokenizer.EndOfChunkId));
    }

    [Fact]
    public void SpecialTokensWrittenInTextBecomeTheirIds()
    {
        // The conversation format's markers: each one id, the text between them GPT-2's own ids (" " is 220).
        Assert.Equal([50256, 50257, 220, 50258, 1058, 2266, 220, 50256],
            Tokenizer.Encode($"{SpecialTokens.Begin}{SpecialTokens.Image} {SpecialTokens.EndOfChunk} : red {SpecialTokens.End}"));
        Assert.Equal([50256, 50256, 50259], Tokenizer.Encode($"{Gpt2Tokenizer.EndOfText}{SpecialTokens.End}{SpecialTokens.Pad}"));
        Assert.Equal(Tokenizer.ImageId, Tokenizer.Encode(ConversationFormat.Context(SpecialTokens.Image))[2]);
        // Decoding writes them out, 50256 as GPT-2 names it; <unk> is ordinary text to a byte-level BPE.
        Assert.Equal("<|endoftext|><image> <eoc> : red <|endoftext|><pad>", Tokenizer.Decode([50256, 50257, 220, 50258, 1058, 2266, 220, 50256, 50259]));
        Assert.True(Tokenizer.Encode(SpecialTokens.Unknown).Length > 1);
        Assert.Empty(Tokenizer.UnknownWords("any words at all, even zxqvj"));
    }

    [Theory]
    [InlineData("Grüße aus Köln — naïve façade, déjà vu.")]
    [InlineData("日本語のテキストと中文 and 한국어")]
    [InlineData("emoji 🦀🧑‍🔬 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, combining e\u0301")]
    [InlineData("  tabs\tand\r\nnewlines\n\n  trailing spaces   ")]
    [InlineData("<image> not quite special: <imag e> <|endoftext| > <BOS>")]
    public void ArbitraryUnicodeTextRoundTrips(string text)
    {
        int[] ids = Tokenizer.Encode(text);
        Assert.All(ids, id => Assert.InRange(id, 0, Tokenizer.VocabularySize - 1));
        Assert.Equal(text, Tokenizer.Decode(ids));
    }

    [Fact]
    public void EachIdDecodedAloneIsItsPieceOfText()
    {
        Assert.Equal([" red", "<image>", "<|endoftext|>"], new[] { 2266, 50257, 50256 }.Select(Tokenizer.TokenText));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Decode([50260]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Decode([-1]));
    }
}
