using Workbench.Text;

namespace Workbench.Tests.Text;

public sealed class ClipBpeTokenizerTests
{
    static readonly string? Folder = ClipBpeTokenizer.DefaultFolder;
    static readonly Lazy<ClipBpeTokenizer> Shared = new(() => ClipBpeTokenizer.Load());
    static readonly Lazy<ReferenceClipBpe> Reference = new(() => new ReferenceClipBpe(Folder!));

    static ClipBpeTokenizer Tokenizer()
    {
        Skip.If(Folder is null || !File.Exists(Path.Combine(Folder, "vocab.json")),
                $"CLIP BPE files not found in {Folder ?? "data/clip-bpe (no checkout)"}");
        return Shared.Value;
    }

    [SkippableFact]
    public void ReadmeExampleGivesClipsIds()
    {
        // From data/clip-bpe/README.md: clip.tokenize("a photo of a cat").
        var batch = Tokenizer().EncodeBatch(["a photo of a cat"], ClipBpeTokenizer.ContextLength, addBegin: true, addEnd: true);
        var expected = new long[77];
        new long[] { 49406, 320, 1125, 539, 320, 2368, 49407 }.CopyTo(expected, 0);
        Assert.Equal(expected, batch.Ids);
        Assert.Equal([1L, 77L], batch.Shape);
        Assert.Equal(7, batch.Lengths[0]);
    }

    [SkippableFact]
    public void SpecialIdsAreClipsStartEndAndZeroPadding()
    {
        var tokenizer = Tokenizer();
        Assert.Equal((49408, 49406, 49407, 0), (tokenizer.VocabularySize, tokenizer.BeginId, tokenizer.EndId, tokenizer.PadId));
        Assert.Null(tokenizer.ImageId);
        Assert.Null(tokenizer.EndOfChunkId);
        Assert.Equal([49406, 49407], tokenizer.Encode("<|startoftext|><|endoftext|>"));
    }

    [SkippableFact]
    public void AWordThatIsOneVocabularyEntryGetsThatEntrysId()
    {
        var tokenizer = Tokenizer();
        foreach (var word in new[] { "cat", "photo", "circle", "square" })
            Assert.Equal([Reference.Value.Id(word + "</w>")], tokenizer.Encode(word));
        Assert.Equal([Reference.Value.Id("cat</w>")], tokenizer.Encode("  CAT "));
    }

    [SkippableFact]
    public void PunctuationAndDigitsFollowTheVocabularyLayout()
    {
        // README layout: ids 0-93 are the printable bytes '!'..'~' in order, and 256 + the same with "</w>".
        // So "!" (byte 33) is 256, "," (44) is 256 + 11, "." (46) is 256 + 13, digit d (48 + d) is 256 + 15 + d:
        // CLIP's pre-tokenizer splits numbers into single digits, each a word of its own.
        int Suffixed(char c) => 256 + (c - '!');
        var reference = Reference.Value;
        Assert.Equal(
            [reference.Id("hello</w>"), Suffixed(','), reference.Id("world</w>"), Suffixed('!'), Suffixed('3'), Suffixed('.'), Suffixed('5')],
            Tokenizer().Encode("Hello, world! 3.5"));
        Assert.Equal(274, Suffixed('3'));
    }

    [SkippableTheory]
    [InlineData("a photo of a cat")]
    [InlineData("A small RED circle at the top-left, and 2 large blue squares.")]
    [InlineData("Don't stop: it's 12:45 -- they'll've gone!!!")]
    [InlineData("rock &amp; roll &lt;3")]
    [InlineData("  multiple   spaces\tand\nnew lines  ")]
    [InlineData("naïve café, Übergrößenträger and 東京タワー")]
    [InlineData("emoji 🐱🐶 and symbols ©®™ ½")]
    [InlineData("antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis")]
    [InlineData("<|startoftext|>a sneaker<|endoftext|>")]
    [InlineData("x")]
    [InlineData("")]
    public void IdsEqualAPlainPortOfClipsTokenizer(string text)
    {
        var tokenizer = Tokenizer();
        Assert.Equal(Reference.Value.Encode(text), tokenizer.Encode(text));
    }

    [SkippableFact]
    public void IdsEqualAPlainPortOfClipsTokenizerOnRandomText()
    {
        var tokenizer = Tokenizer();
        // Random strings over letters, digits, punctuation, whitespace, accents, CJK, emoji and an HTML entity
        // (whole characters only: lone UTF-16 surrogates are not text, and Python's CLIP rejects them too).
        string[] pieces = [.. "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 .,!?'-&;:éüß東京\t\n\"()[]{}<>|/\\".Select(c => c.ToString()),
                           "🐱", "&amp;", "ﬁ", "\u00a0", "٣", "'s", "'ll"];
        var random = new Random(1);
        for (int i = 0; i < 500; i++)
        {
            string text = string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ => pieces[random.Next(pieces.Length)]));
            Assert.True(Reference.Value.Encode(text).SequenceEqual(tokenizer.Encode(text)), $"ids differ for \"{text}\"");
        }
    }

    [SkippableFact]
    public void DecodeGivesTheCleanedTextBack()
    {
        var tokenizer = Tokenizer();
        // Every word ends in "</w>", decoded as a space: punctuation comes back separated, as CLIP's decode does.
        Assert.Equal("a photo of a cat !", tokenizer.Decode(tokenizer.Encode("A photo of a CAT!")));
        Assert.Equal("naïve café 東京", tokenizer.Decode(tokenizer.Encode("naïve café 東京")));
        Assert.Equal("<|startoftext|>a cat <|endoftext|>", tokenizer.Decode([49406, 320, 2368, 49407]));
    }

    [SkippableFact]
    public void LongTextIsCutTo77KeepingTheEndToken()
    {
        var tokenizer = Tokenizer();
        string text = string.Join(" ", Enumerable.Repeat("cat", 100));
        var batch = tokenizer.EncodeBatch([text, "cat"], ClipBpeTokenizer.ContextLength, addBegin: true, addEnd: true);
        Assert.Equal([77, 3], batch.Lengths);
        Assert.Equal(49406, batch[0, 0]);
        Assert.All(Enumerable.Range(1, 75), c => Assert.Equal(2368, batch[0, c]));
        Assert.Equal(49407, batch[0, 76]);
        Assert.Equal([49406, 2368, 49407], batch.Row(1));
        Assert.All(Enumerable.Range(3, 74), c => Assert.Equal(0, batch[1, c]));
    }

    [Fact]
    public void MissingFilesFailNamingTheFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "wb-clip-bpe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "vocab.json"), "{}");
            var error = Assert.Throws<FileNotFoundException>(() => ClipBpeTokenizer.Load(folder));
            Assert.Contains(folder, error.Message);
            Assert.Contains("merges.txt", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("{\"a\": 0, \"b\": 1, \"ab\": 2, \"<|startoftext|>\": 3, \"<|endoftext|>\": 4}", "#version: 0.2\na b\nab\n", "merges.txt:3: expected \"left right\"")]
    [InlineData("{\"a\": 0, \"b\": 1, \"<|startoftext|>\": 2, \"<|endoftext|>\": 3}", "#version: 0.2\na b\n", "merges.txt:2: the merge result \"ab\" is not in vocab.json")]
    [InlineData("{\"a\": 0, \"b\": ", "#version: 0.2\n", "vocab.json: not a JSON object")]
    [InlineData("{\"a\": 0, \"b\": 1}", "#version: 0.2\n", "vocab.json: missing the special token <|startoftext|>")]
    [InlineData("{\"a\": 0, \"b\": 5}", "#version: 0.2\n", "vocab.json: id 5 of \"b\" is outside [0, 2)")]
    public void MalformedFilesFailNamingTheFileAndLine(string vocab, string merges, string problem)
    {
        string folder = Path.Combine(Path.GetTempPath(), "wb-clip-bpe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "vocab.json"), vocab);
            File.WriteAllText(Path.Combine(folder, "merges.txt"), merges);
            var error = Assert.Throws<InvalidDataException>(() => ClipBpeTokenizer.Load(folder));
            Assert.Contains(problem, error.Message);
            Assert.Contains(folder, error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
