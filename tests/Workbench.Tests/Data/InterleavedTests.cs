using Workbench.Data;
using Workbench.Data.Interleaved;
using Workbench.Text;

namespace Workbench.Tests.Data;

public sealed class InterleavedTests
{
    /// <summary>A few 2x2 samples: sample i is filled with the grey level 10 * i; odd samples have no question.</summary>
    sealed class TinyDataset(int count) : IImageTextDataset
    {
        static readonly string[] Colors = ["red", "blue", "green", "yellow"];
        static readonly string[] Shapes = ["circle", "square", "triangle"];

        public string Name => "tiny";
        public int Count => count;
        public IReadOnlyList<string>? ClassNames => null;

        public Sample Get(int index)
        {
            string color = Colors[index % Colors.Length], shape = Shapes[index % Shapes.Length];
            var image = new RgbImage(2, 2, Enumerable.Repeat((byte)(10 * index), 12).ToArray());
            QuestionAnswer[] questions = index % 2 == 0 ? [new($"what colour is the {shape}?", color, "colour"), new($"what shape is it?", shape, "shape")] : [];
            return new Sample($"tiny-{index}", image, [$"a {color} {shape}.", $"the {shape} is {color}."], questions);
        }
    }

    static readonly WordTokenizer Words = WordTokenizer.Build(["a b c d x y"]);
    static RgbImage Image(byte level) => new(2, 2, Enumerable.Repeat(level, 12).ToArray());

    [Fact]
    public void EachTokenPointsAtTheMostRecentImageAtOrBeforeIt()
    {
        var images = new[] { Image(1), Image(2) };
        var document = InterleavedDocument.Parse("<image> a b <eoc> <image> c <eoc>", images);
        var tokens = TokenizedInterleaved.From(document, Words);
        // Worked by hand: <image> a b <eoc> | <image> c <eoc>; the image token belongs to its own image.
        Assert.Equal([3, Words.IdOf("a")!.Value, Words.IdOf("b")!.Value, 4, 3, Words.IdOf("c")!.Value, 4], tokens.Ids);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1], tokens.MostRecentImage);
        Assert.Equal([0, 4], tokens.ImagePositions);
        Assert.Same(images[1], tokens.Images[1]);
    }

    [Fact]
    public void TextBeforeTheFirstImageAndTheBeginTokenPointAtNoImage()
    {
        var document = InterleavedDocument.Parse("x y <image> a", [Image(1)]);
        Assert.Equal([-1, -1, 0, 0], TokenizedInterleaved.From(document, Words).MostRecentImage);
        Assert.Equal([-1, -1, -1, 0, 0, 0], TokenizedInterleaved.From(document, Words, addBegin: true, addEnd: true).MostRecentImage);
    }

    [Fact]
    public void ParsingAndWritingADocumentAreInverse()
    {
        const string text = "x <image> a b <eoc> <image> c <eoc>";
        var document = InterleavedDocument.Parse(text, [Image(1), Image(2)]);
        Assert.Equal(
            new InterleavedSegment[] { new TextSegment("x"), new ImageSegment(0), new TextSegment("a b <eoc>"), new ImageSegment(1), new TextSegment("c <eoc>") },
            document.Segments);
        Assert.Equal(text, document.ToText());
        Assert.Throws<ArgumentException>(() => InterleavedDocument.Parse(text, [Image(1)]));
    }

    [Fact]
    public void TokenizersWithoutAnImageTokenAreRefused()
    {
        var document = InterleavedDocument.Parse("<image> a", [Image(1)]);
        Assert.Throws<ArgumentException>(() => TokenizedInterleaved.From(document, new NoImageTokenizer()));
    }

    sealed class NoImageTokenizer : ITextTokenizer
    {
        public int VocabularySize => 3;
        public int PadId => 0;
        public int BeginId => 1;
        public int EndId => 2;
        public int? ImageId => null;
        public int? EndOfChunkId => null;
        public int[] Encode(string text) => [];
        public string Decode(IEnumerable<int> ids) => "";
    }

    [Fact]
    public void DocumentsFromADatasetFollowEachImageWithOneOfItsCaptions()
    {
        var dataset = new TinyDataset(7);
        var documents = InterleavedDocuments.FromDataset(dataset, imagesPerDocument: 3, seed: 5).ToList();
        Assert.Equal(2, documents.Count); // 7 / 3, one pass
        Assert.Equal(6, documents.SelectMany(d => d.ImageSources).Distinct().Count());
        foreach (var document in documents)
        {
            Assert.Equal(3, document.Images.Count);
            Assert.Equal(9, document.Segments.Count);
            for (int i = 0; i < 3; i++)
            {
                var sample = dataset.Get(int.Parse(document.ImageSources[i]["tiny-".Length..]));
                Assert.Equal(new ImageSegment(i), document.Segments[3 * i]);
                Assert.Equal(sample.Image.Pixels, document.Images[i].Pixels);
                Assert.Equal(new TextSegment("<eoc> caption :", Supervised: false), document.Segments[3 * i + 1]);
                var caption = Assert.IsType<TextSegment>(document.Segments[3 * i + 2]);
                Assert.True(caption.Supervised);
                Assert.Contains(caption.Text, sample.Captions.Select(c => c + " <eos>"));
            }
        }
        var captions = Enumerable.Range(0, dataset.Count).SelectMany(i => dataset.Get(i).Captions);
        var words = WordTokenizer.Build(captions.Append("caption :"));
        var tokens = TokenizedInterleaved.From(documents[0], words, addBegin: true);
        Assert.Equal(3, tokens.ImagePositions.Length);
        Assert.Equal(3, tokens.Ids.Count(id => id == 4)); // <eoc> has id 4 in every WordTokenizer
        // Exactly the caption words and their <eos> carry loss: not <bos>, the images, <eoc>, "caption" or ":".
        var supervised = tokens.Ids.Where((_, t) => tokens.Supervised[t]).ToList();
        Assert.Equal(3, supervised.Count(id => id == words.EndId));
        Assert.DoesNotContain(words.ImageId!.Value, supervised);
        Assert.DoesNotContain(4, supervised);
        Assert.DoesNotContain(words.BeginId, supervised);
        Assert.Equal(documents[0].Segments.OfType<TextSegment>().Where(t => t.Supervised).Sum(t => words.Encode(t.Text).Length), supervised.Count);
    }

    [Fact]
    public void DocumentsAreDeterministicForASeedAndRepeatPassesOnRequest()
    {
        var dataset = new TinyDataset(7);
        string Texts(int seed, int? count = null) =>
            string.Join("|", InterleavedDocuments.FromDataset(dataset, 2, seed, count).Select(d => string.Join(",", d.ImageSources) + d.ToText()));
        Assert.Equal(Texts(3), Texts(3));
        Assert.NotEqual(Texts(3), Texts(4));
        Assert.Equal(10, InterleavedDocuments.FromDataset(dataset, 2, seed: 1, count: 10).Count());

        // Document n depends on (seed, n) alone: made on its own, out of order, it is the n-th of the sequence.
        var sequence = InterleavedDocuments.FromDataset(dataset, 2, seed: 1, count: 10).Select(d => d.ToText() + string.Join(",", d.ImageSources)).ToList();
        foreach (int n in new[] { 9, 0, 4, 7 })
            Assert.Equal(sequence[n], InterleavedDocuments.Document(dataset, 2, seed: 1, n) is var d ? d.ToText() + string.Join(",", d.ImageSources) : null);
        // Within a pass (3 documents of 2 of the 7 samples) no sample repeats.
        Assert.Equal(6, Enumerable.Range(3, 3).SelectMany(n => InterleavedDocuments.SampleIndices(7, 2, 1, n)).Distinct().Count());
    }

    [Fact]
    public void EpisodesAreDeterministicForASeed()
    {
        var dataset = new TinyDataset(12);
        string Describe(FewShotEpisode e) => string.Join(";", e.Support.Append(e.Query).Select(x => $"{x.Sample.Id}:{x.Question}:{x.Answer}"));
        Assert.Equal(Describe(FewShotEpisode.Draw(dataset, 4, 9, FewShotTask.QuestionAnswering)), Describe(FewShotEpisode.Draw(dataset, 4, 9, FewShotTask.QuestionAnswering)));
        Assert.True(Enumerable.Range(0, 10).Select(seed => Describe(FewShotEpisode.Draw(dataset, 4, seed, FewShotTask.Captioning))).Distinct().Count() > 1);
    }

    [Fact]
    public void TheQueryIsNeverOneOfTheSupports()
    {
        var dataset = new TinyDataset(6);
        for (int seed = 0; seed < 50; seed++)
        {
            var episode = FewShotEpisode.Draw(dataset, shots: 5, seed, FewShotTask.Captioning);
            var ids = episode.Support.Select(s => s.Sample.Id).Append(episode.Query.Sample.Id).ToList();
            Assert.Equal(6, ids.Distinct().Count());
        }
        Assert.Throws<InvalidOperationException>(() => FewShotEpisode.Draw(dataset, shots: 6, seed: 0, FewShotTask.Captioning));
    }

    [Fact]
    public void QuestionEpisodesUseOnlySamplesWithQuestionsAndTheirAnswers()
    {
        var dataset = new TinyDataset(10); // questions on even samples only: 5 usable
        for (int seed = 0; seed < 20; seed++)
        {
            var episode = FewShotEpisode.Draw(dataset, shots: 4, seed, FewShotTask.QuestionAnswering);
            foreach (var example in episode.Support.Append(episode.Query))
                Assert.Contains(example.Sample.Questions, qa => qa.Question == example.Question && qa.Answer == example.Answer);
        }
    }

    [Fact]
    public void AnEpisodePromptShowsTheSupportAnswersAndAsksTheQuery()
    {
        var episode = FewShotEpisode.Draw(new TinyDataset(8), shots: 2, seed: 3, FewShotTask.QuestionAnswering);
        var prompt = episode.ToPrompt();
        Assert.Equal(3, prompt.Images.Count);
        Assert.Same(episode.Query.Sample.Image, prompt.Images[2]);
        string expected =
            $"<image> <eoc> question : {episode.Support[0].Question} answer : {episode.Support[0].Answer} <eos> " +
            $"<image> <eoc> question : {episode.Support[1].Question} answer : {episode.Support[1].Answer} <eos> " +
            $"<image> <eoc> question : {episode.Query.Question} answer :";
        Assert.Equal(expected, prompt.ToText());
        // Only the supports' answers would carry loss; the query's answer is not in the prompt.
        Assert.Equal([$"{episode.Support[0].Answer} <eos>", $"{episode.Support[1].Answer} <eos>"],
            prompt.Segments.OfType<TextSegment>().Where(t => t.Supervised).Select(t => t.Text));

        var captioning = FewShotEpisode.Draw(new TinyDataset(8), shots: 1, seed: 3, FewShotTask.Captioning).ToPrompt();
        Assert.EndsWith("<eos> <image> <eoc> caption :", captioning.ToText());
    }
}
