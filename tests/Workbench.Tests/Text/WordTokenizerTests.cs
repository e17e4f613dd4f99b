using Workbench.Text;

namespace Workbench.Tests.Text;

public sealed class WordTokenizerTests : IDisposable
{
    // Word counts, by hand: a 3, red 2, square 2, circle 1, "." 1, blue 1.
    // Ids: specials 0-5; then by count, ties in ordinal order ("." < "blue" < "circle"):
    // a 6, red 7, square 8, "." 9, blue 10, circle 11.
    static readonly string[] Texts = ["a red circle.", "a blue square", "A red square"];
    readonly string folder = Path.Combine(Path.GetTempPath(), "wb-word-tokenizer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    string WriteFile(string name, string content)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void VocabularyHasTheSpecialsAtFixedIdsThenWordsByFrequency()
    {
        var tokenizer = WordTokenizer.Build(Texts);
        Assert.Equal(["<pad>", "<bos>", "<eos>", "<image>", "<eoc>", "<unk>", "a", "red", "square", ".", "blue", "circle"], tokenizer.Tokens);
        Assert.Equal((0, 1, 2, 3, 4, 5), (tokenizer.PadId, tokenizer.BeginId, tokenizer.EndId, tokenizer.ImageId, tokenizer.EndOfChunkId, tokenizer.UnknownId));
        Assert.Equal(12, tokenizer.VocabularySize);
    }

    [Fact]
    public void MinCountAndMaxSizeDropTheRarestWords()
    {
        Assert.Equal(["a", "red", "square"], WordTokenizer.Build(Texts, minCount: 2).Tokens.Skip(6));
        Assert.Equal(["a", "red"], WordTokenizer.Build(Texts, maxSize: 8).Tokens.Skip(6));
    }

    [Fact]
    public void VocabularyDoesNotDependOnTheOrderOfTheTexts()
    {
        Assert.Equal(WordTokenizer.Build(Texts).Tokens, WordTokenizer.Build(Texts.Reverse()).Tokens);
    }

    [Fact]
    public void SplittingSeparatesWordsAndEachPunctuationMark()
    {
        Assert.Equal(["a", "red", "circle", ",", "top", "-", "left", ".", ".", "3", "x"],
                     WordTokenizer.Split("A red circle, top-left.. 3 x").ToArray());
    }

    [Fact]
    public void EncodeThenDecodeGivesTheLowerCasedText()
    {
        var tokenizer = WordTokenizer.Build(Texts);
        int[] ids = tokenizer.Encode("A red circle.");
        Assert.Equal([6, 7, 11, 9], ids);
        Assert.Equal("a red circle.", tokenizer.Decode(ids));
        Assert.Equal(ids, tokenizer.Encode(tokenizer.Decode(ids)));
    }

    [Fact]
    public void UnknownWordsBecomeUnk()
    {
        var tokenizer = WordTokenizer.Build(Texts);
        Assert.Equal([6, 5, 8], tokenizer.Encode("a green square"));
        Assert.Equal("a <unk> square", tokenizer.Decode([6, 5, 8]));
    }

    [Fact]
    public void UnknownWordsAreTheDistinctWordsThatEncodeAsUnkInOrder()
    {
        var tokenizer = WordTokenizer.Build(Texts);
        const string text = "A GREEN square, a green Triangle <unk> <image> red";
        var unknown = tokenizer.UnknownWords(text);
        Assert.Equal(["green", ",", "triangle"], unknown);
        // Each is exactly a word that encodes as <unk>: compare with the ids, word by word.
        var words = WordTokenizer.Split(text).ToArray();
        var ids = tokenizer.Encode(text);
        var unkWords = words.Where((w, i) => ids[i] == tokenizer.UnknownId && w != SpecialTokens.Unknown).Distinct();
        Assert.Equal(unkWords, unknown);
        Assert.Empty(tokenizer.UnknownWords("a red square."));
    }

    [Fact]
    public void DescribeUnknownWordsNamesEachWordWhereItFirstOccurs()
    {
        var tokenizer = WordTokenizer.Build(Texts);
        var lines = new[] { ("line 1", "a red square"), ("line 2", "a green hexagon"), ("line 3", "a green square"), ("line 4", "a pink circle") };
        Assert.Equal("""3 words are not in the vocabulary and read as <unk>: "green", "hexagon" (line 2); "pink" (line 4)""",
                     WordTokenizer.DescribeUnknownWords(lines, tokenizer.UnknownWords));
        Assert.Equal("""3 words are not in the vocabulary and read as <unk>: "green", "hexagon" (line 2); and 1 word more in 1 more place""",
                     WordTokenizer.DescribeUnknownWords(lines, tokenizer.UnknownWords, maxPlaces: 1));
        Assert.Null(WordTokenizer.DescribeUnknownWords([("line 1", "a red square"), ("line 2", "A blue circle.")], tokenizer.UnknownWords));
    }

    [Fact]
    public void ImageAndEndOfChunkWrittenInTextMapToTheirIds()
    {
        var tokenizer = WordTokenizer.Build(["<image> a red circle <eoc>"]);
        // The markers are not words: the vocabulary holds a 6, circle 7, red 8 (all seen once, ordinal order).
        Assert.Equal(["a", "circle", "red"], tokenizer.Tokens.Skip(6));
        Assert.Equal([3, 6, 8, 7, 4, 3], tokenizer.Encode("<image> a red circle <eoc><IMAGE>"));
        Assert.Equal("<image> a red circle <eoc> <image>", tokenizer.Decode([3, 6, 8, 7, 4, 3]));
    }

    [Fact]
    public void SavedAndLoadedTokenizerGivesIdenticalIds()
    {
        var tokenizer = WordTokenizer.Build(Texts);
        string path = Path.Combine(folder, "sub", "tokenizer.json");
        tokenizer.Save(path);
        var loaded = WordTokenizer.Load(path);
        Assert.Equal(tokenizer.Tokens, loaded.Tokens);
        foreach (var text in Texts.Append("<image> a green circle <eoc>"))
            Assert.Equal(tokenizer.Encode(text), loaded.Encode(text));
        Assert.Contains("\"version\": 1", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left behind
    }

    [Theory]
    [InlineData("{ \"version\": 1, \"tokens\": [", "not valid JSON")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("{ \"tokens\": [] }", "missing the number \"version\"")]
    [InlineData("{ \"version\": 7, \"tokens\": [] }", "format version 7 is not supported")]
    [InlineData("{ \"version\": 1 }", "missing the array \"tokens\"")]
    [InlineData("{ \"version\": 1, \"tokens\": [\"<pad>\", \"<bos>\", \"<eos>\"] }", "missing special token <image>")]
    [InlineData("{ \"version\": 1, \"tokens\": [\"<pad>\", \"<eos>\", \"<bos>\", \"<image>\", \"<eoc>\", \"<unk>\"] }", "token 1 must be the special token <bos>")]
    [InlineData("{ \"version\": 1, \"tokens\": [\"<pad>\", \"<bos>\", \"<eos>\", \"<image>\", \"<eoc>\", \"<unk>\", \"a\", \"b\", \"a\"] }", "duplicate token \"a\" at ids 6 and 8")]
    [InlineData("{ \"version\": 1, \"tokens\": [\"<pad>\", \"<bos>\", \"<eos>\", \"<image>\", \"<eoc>\", \"<unk>\", 3] }", "token 6 is Number")]
    public void CorruptFileFailsNamingTheFileAndTheProblem(string content, string problem)
    {
        string path = WriteFile("broken.json", content);
        var error = Assert.Throws<InvalidDataException>(() => WordTokenizer.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void MissingFileFailsNamingTheFile()
    {
        string path = Path.Combine(folder, "absent.json");
        var error = Assert.Throws<FileNotFoundException>(() => WordTokenizer.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void EncodeBatchPadsShortTextsAndCutsLongOnesKeepingTheEnd()
    {
        var tokenizer = WordTokenizer.Build(Texts);
        // "red square" = 7 8; "a blue square a red square" = 6 10 8 6 7 8, cut to 4 words to leave room for <bos> and <eos>.
        var batch = tokenizer.EncodeBatch(["red square", "a blue square a red square"], length: 6, addBegin: true, addEnd: true);
        Assert.Equal([2L, 6L], batch.Shape);
        Assert.Equal(new long[,] { { 1, 7, 8, 2, 0, 0 }, { 1, 6, 10, 8, 6, 2 } }, batch.ToArray2D());
        Assert.Equal([4, 6], batch.Lengths);
        Assert.Equal([1, 7, 8, 2], batch.Row(0));
    }

    [Fact]
    public void EncodeBatchWithoutSpecialsOnlyPadsAndCuts()
    {
        var tokenizer = WordTokenizer.Build(Texts);
        var batch = tokenizer.EncodeBatch(["red", "a blue square a"], length: 3, addBegin: false, addEnd: false);
        Assert.Equal([7L, 0, 0, 6, 10, 8], batch.Ids);
        Assert.Equal([1, 3], batch.Lengths);
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.EncodeBatch(["red"], length: 1, addBegin: true, addEnd: true));
    }
}
