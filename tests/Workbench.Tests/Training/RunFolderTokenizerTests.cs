using Workbench.Text;
using Workbench.Training.Language;
using Workbench.Training.Runs;

namespace Workbench.Tests.Training;

/// <summary>A run folder's <c>tokenizer.json</c>: either kind of tokenizer written and read back, old word vocabularies still read, bad files named.</summary>
public sealed class RunFolderTokenizerTests
{
    static readonly LanguageModelRunConfig Config = LanguageModelRunConfig.For("shapes", Presets.Smoke);
    const string Text = "<bos> a red circle <eoc> question : what colour ? answer : red <eos>";

    [Fact]
    public void AWordVocabularyComesBackWithTheSameIds()
    {
        using var temp = new TempFolder();
        var folder = new RunFolder(temp.Path);
        var words = WordTokenizer.Build(["a red circle", ConversationFormat.VocabularyText, "what colour"]);
        folder.WriteSetup(Config, words);

        var read = Assert.IsType<WordTokenizer>(folder.ReadTokenizer());
        Assert.Equal(words.Tokens, read.Tokens);
        Assert.Equal(words.Encode(Text), read.Encode(Text));
        Assert.Contains("\"kind\": \"word\"", File.ReadAllText(temp[RunFolder.TokenizerFile]));
    }

    [Fact]
    public void GptTwosTokenizerIsRecordedByKindAlone()
    {
        using var temp = new TempFolder();
        var folder = new RunFolder(temp.Path);
        folder.WriteSetup(Config, Gpt2Tokenizer.Create());

        Assert.Equal("""{"kind":"gpt2","version":1}""", string.Concat(File.ReadAllText(temp[RunFolder.TokenizerFile]).Where(c => !char.IsWhiteSpace(c))));
        var read = Assert.IsType<Gpt2Tokenizer>(folder.ReadTokenizer());
        Assert.Equal(Gpt2Tokenizer.Create().Encode(Text), read.Encode(Text));
        var error = Assert.Throws<InvalidDataException>(() => WordTokenizer.Load(temp[RunFolder.TokenizerFile]));
        Assert.Contains("not a word vocabulary", error.Message);
    }

    [Fact]
    public void AVocabularyWrittenBeforeKindsExistedStillLoads()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp[RunFolder.TokenizerFile], """
            {
              "version": 1,
              "tokens": ["<pad>", "<bos>", "<eos>", "<image>", "<eoc>", "<unk>", "red", "circle"]
            }
            """);
        var read = Assert.IsType<WordTokenizer>(new RunFolder(temp.Path).ReadTokenizer());
        Assert.Equal([1, 6, 7, 5, 2], read.Encode("<bos> red circle blue <eos>"));
    }

    [Theory]
    [InlineData("""{"kind": "sentencepiece", "version": 1}""", "unknown tokenizer kind \"sentencepiece\"")]
    [InlineData("""{"kind": 3, "version": 1}""", "\"kind\" is Number, not a string")]
    [InlineData("""{"kind": "gpt2", "version": 2}""", "format version 2 is not supported")]
    [InlineData("""{"kind": "gpt2"}""", "missing the number \"version\"")]
    [InlineData("""{"kind": "gpt2", "vers""", "not valid JSON")]
    [InlineData("""{"kind": "word", "version": 1}""", "missing the array \"tokens\"")]
    [InlineData("\"gpt2\"", "expected a JSON object")]
    public void AnUnknownOrDamagedTokenizerFileFailsNamingTheFileAndTheProblem(string content, string problem)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp[RunFolder.TokenizerFile], content);
        var error = Assert.Throws<InvalidDataException>(() => new RunFolder(temp.Path).ReadTokenizer());
        Assert.Contains(temp[RunFolder.TokenizerFile], error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void AMissingTokenizerFileIsNamed()
    {
        using var temp = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => new RunFolder(temp.Path).ReadTokenizer());
        Assert.Contains(temp[RunFolder.TokenizerFile], error.Message);
    }
}
