using TorchSharp;
using Workbench.Data;
using Workbench.Data.Fashion;
using Workbench.Evaluation;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Tests.Evaluation;

public sealed class RetrievalTests
{
    [Fact]
    public void RecallAndMedianRankMatchAHandWorkedMatrix()
    {
        using var scope = NewDisposeScope();
        // Rows are queries, columns items; query i belongs with item i, and items 0 and 3 share a caption.
        var similarity = tensor(new float[,]
        {
            { 0.9f, 0.1f, 0.2f, 0.3f },   // item 0 best: rank 1
            { 0.8f, 0.5f, 0.6f, 0.1f },   // items 0 and 2 beat item 1: rank 3
            { 0.1f, 0.2f, 0.3f, 0.4f },   // item 3 beats item 2: rank 2
            { 0.7f, 0.2f, 0.1f, 0.1f },   // item 0 shares query 3's caption: counts as correct, rank 1
        });
        var scores = Retrieval.Score(similarity, ["a", "b", "c", "a"]);
        Assert.Equal(0.5, scores.RecallAt1);   // queries 0 and 3
        Assert.Equal(1.0, scores.RecallAt5);
        Assert.Equal(1.5, scores.MedianRank);  // ranks 1, 3, 2, 1
    }

    [Fact]
    public void PerfectEmbeddingsRetrievePerfectlyInBothDirections()
    {
        using var scope = NewDisposeScope();
        var e = eye(6);
        var report = Retrieval.Evaluate(e, e, ["0", "1", "2", "3", "4", "5"]);
        Assert.Equal(1.0, report.TextToImage.RecallAt1);
        Assert.Equal(1.0, report.ImageToText.RecallAt1);
        Assert.Equal(1.0, report.ImageToText.MedianRank);
    }
}

public sealed class ZeroShotClassifierTests
{
    [Fact]
    public void PromptEnsembleAveragesTemplatesAndClassifiesByCosine()
    {
        using var scope = NewDisposeScope();
        string[] classes = ["cat", "dog", "bird"];
        // A stand-in text encoder: the class picks the axis; the template "a blurry photo" tilts it towards axis 3.
        Tensor Encode(IReadOnlyList<string> texts) => stack(texts.Select(t =>
        {
            var v = zeros(4);
            v[Array.FindIndex(classes, c => t.Contains(c))] = 1;
            if (t.Contains("blurry")) v[3] = 1;
            return v / v.norm();
        }).ToArray());

        var classifier = new ZeroShotClassifier(classes, ["a photo of a {}.", "a blurry photo of a {}."], Encode);

        // Worked by hand for "cat": mean of (1,0,0,0) and (1,0,0,1)/sqrt2, normalised.
        double a = 1 + 1 / Math.Sqrt(2), b = 1 / Math.Sqrt(2), norm = Math.Sqrt(a * a + b * b);
        var cat = classifier.ClassEmbeddings[0].data<float>().ToArray();
        Assert.Equal(a / norm, cat[0], 5);
        Assert.Equal(b / norm, cat[3], 5);

        var images = tensor(new float[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0.1f, 0.9f, 0, 0 } });
        var scores = classifier.Evaluate(images, [0, 1, 2, 2]);
        Assert.Equal(0.75, scores.Top1);        // the last image looks like a dog but is labelled bird
        Assert.Equal(1.0, scores.Top5);         // three classes: always in the top five
        Assert.Equal(1, scores.Confusion[2][1]);
    }

    /// <summary>A stand-in text encoder that records what it was asked to embed.</summary>
    sealed class RecordingEncoder
    {
        public List<string> Texts { get; } = [];

        public Tensor Encode(IReadOnlyList<string> texts)
        {
            Texts.AddRange(texts);
            return nn.functional.normalize(ones(texts.Count, 3), dim: -1);
        }
    }

    [Fact]
    public void PromptsGetTheArticleTheTrainingCaptionsUse()
    {
        using var scope = NewDisposeScope();
        var encoder = new RecordingEncoder();
        var classifier = new ZeroShotClassifier(["ankle boot", "bag"], ["a photo of a {}.", "{} in a photo."], encoder.Encode);
        // The captions a model trains on come from PromptTemplates.ForClass, which writes "an ankle boot".
        Assert.Equal(["a photo of an ankle boot.", "ankle boot in a photo.", "a photo of a bag.", "bag in a photo."], encoder.Texts);
        Assert.Equal(PromptTemplates.ForClass("ankle boot", ["a photo of a {}.", "{} in a photo."]), classifier.Prompts[0]);
    }

    [Fact]
    public void ATemplateWithoutAPlaceForTheClassIsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => new ZeroShotClassifier(["bag"], ["a photo."], new RecordingEncoder().Encode));
        Assert.Contains("a photo.", e.Message);
    }

    [Fact]
    public void OfficialFashionNamesOutsideTheCaptionVocabularyAreNamedWithTheirClass()
    {
        using var scope = NewDisposeScope();
        // The vocabulary a Fashion-MNIST run builds: its captions are the caption words through the templates.
        var tokenizer = WordTokenizer.Build(FashionClasses.Words.SelectMany(w => PromptTemplates.ForClass(w)));
        string[] template = ["a photo of a {}."];

        var builtIn = new ZeroShotClassifier(FashionClasses.Words, template, new RecordingEncoder().Encode, tokenizer.UnknownWords);
        Assert.Empty(builtIn.UnknownWords);
        Assert.Null(builtIn.Warning);

        var official = new ZeroShotClassifier(FashionClasses.OfficialNames, template, new RecordingEncoder().Encode, tokenizer.UnknownWords);
        // "T-shirt/top" splits into t - shirt / top, and the captions say "t-shirt" and "pair of trousers".
        Assert.Equal(["/", "top", "trouser"], official.UnknownWords);
        Assert.Equal("""3 words are not in the vocabulary and read as <unk>: "/", "top" (class "T-shirt/top"); "trouser" (class "Trouser")""",
                     official.Warning);

        var ownTemplate = new ZeroShotClassifier(FashionClasses.Words, ["a snapshot of a {}."], new RecordingEncoder().Encode, tokenizer.UnknownWords);
        Assert.Equal(["snapshot"], ownTemplate.UnknownWords);
        Assert.Contains("\"snapshot\" (prompt \"a snapshot of a t-shirt.\")", ownTemplate.Warning);
    }

    [Fact]
    public void ASampleWithoutAClassIsRefusedByNameNotIndexedOutOfRange()
    {
        using var logits = TorchSharp.torch.tensor(new float[,] { { 0.9f, 0.1f }, { 0.2f, 0.8f } });
        Assert.Equal(1.0, ZeroShotClassifier.Score(logits, [0, 1], ["bag", "boot"]).Top1);
        var e = Assert.Throws<ArgumentException>(() => ZeroShotClassifier.Score(logits, [0, -1], ["bag", "boot"]));
        Assert.Contains("got -1", e.Message);
    }
}

public sealed class LinearProbeTests
{
    static (Tensor X, int[] Y) Blobs(int n, int seed)
    {
        var random = new Random(seed);
        var y = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        var x = new float[n, 8];
        for (int i = 0; i < n; i++)
            for (int d = 0; d < 8; d++)
                x[i, d] = (float)((d == y[i] ? 2.0 : 0.0) + random.NextDouble() - 0.5);
        return (tensor(x), y);
    }

    [Fact]
    public void SeparableFeaturesAreLearnedAndShuffledLabelsAreNot()
    {
        using var scope = NewDisposeScope();
        var (trainX, trainY) = Blobs(300, 1);
        var (testX, testY) = Blobs(150, 2);
        string[] classes = ["a", "b", "c"];

        var probe = LinearProbe.TrainAndEvaluate(trainX, trainY, testX, testY, classes, epochs: 200);
        Assert.True(probe.Top1 > 0.95, $"top-1 {probe.Top1}");

        // Baseline: the same probe trained on labels that carry no information stays near chance (1/3).
        var random = new Random(4);
        var shuffled = trainY.Select(_ => random.Next(3)).ToArray();
        var baseline = LinearProbe.TrainAndEvaluate(trainX, shuffled, testX, testY, classes, epochs: 200);
        Assert.True(baseline.Top1 < 0.5, $"baseline top-1 {baseline.Top1}");
    }
}
