using TorchSharp;
using Workbench.Models.Clip;
using static TorchSharp.torch;

namespace Workbench.Tests.Models;

public sealed class ContrastiveLossTests
{
    static Tensor Rows(double[][] rows) =>
        tensor(rows.SelectMany(r => r.Select(v => (float)v)).ToArray()).reshape(rows.Length, rows[0].Length);

    static Tensor Scalar(double value) => tensor((float)value);

    static double Value(Tensor t) => t.to_type(ScalarType.Float64).item<double>();

    /// <summary>Cross-entropy of each row of <paramref name="logits"/> against its diagonal entry, averaged; plain doubles.</summary>
    static double MeanDiagonalCrossEntropy(double[,] logits)
    {
        int n = logits.GetLength(0);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double sumExp = 0;
            for (int j = 0; j < n; j++) sumExp += Math.Exp(logits[i, j]);
            total += -(logits[i, i] - Math.Log(sumExp));
        }
        return total / n;
    }

    [Fact]
    public void InfoNceEqualsAHandWorkedThreeByThreeCase()
    {
        using var scope = NewDisposeScope();
        double[][] images = [[1, 0], [0, 1], [0.6, 0.8]];
        double[][] texts = [[0.8, 0.6], [0, 1], [1, 0]];
        const double scale = 2;
        // Similarities worked by hand: image i · text j.
        double[,] similarity = { { 0.8, 0, 1 }, { 0.6, 1, 0 }, { 0.96, 0.8, 0.6 } };
        var imageToText = new double[3, 3];
        var textToImage = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                imageToText[i, j] = scale * similarity[i, j];
                textToImage[j, i] = scale * similarity[i, j];
            }
        double expected = (MeanDiagonalCrossEntropy(imageToText) + MeanDiagonalCrossEntropy(textToImage)) / 2;

        double actual = Value(ContrastiveLoss.InfoNce(Rows(images), Rows(texts), Scalar(scale)));

        Assert.Equal(expected, actual, 1e-5);
    }

    [Fact]
    public void InfoNceIsSymmetricInImagesAndTexts()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var images = nn.functional.normalize(randn(5, 8, generator: generator), dim: -1);
        var texts = nn.functional.normalize(randn(5, 8, generator: generator), dim: -1);
        var groups = tensor(new long[] { 0, 1, 0, 2, 1 });

        Assert.Equal(Value(ContrastiveLoss.InfoNce(images, texts, Scalar(5))),
                     Value(ContrastiveLoss.InfoNce(texts, images, Scalar(5))), 1e-5);
        Assert.Equal(Value(ContrastiveLoss.InfoNce(images, texts, Scalar(5), groups)),
                     Value(ContrastiveLoss.InfoNce(texts, images, Scalar(5), groups)), 1e-5);
    }

    [Fact]
    public void MatchingPairsAtHighScaleGiveNearZeroLossAndShuffledPairsALargeOne()
    {
        using var scope = NewDisposeScope();
        var oneHot = eye(4);
        var shuffled = oneHot[tensor(new long[] { 1, 2, 3, 0 })];

        double matched = Value(ContrastiveLoss.InfoNce(oneHot, oneHot, Scalar(100)));
        double mismatched = Value(ContrastiveLoss.InfoNce(oneHot, shuffled, Scalar(100)));

        Assert.True(matched < 1e-3, $"matched loss {matched}");
        // Each true pair now has similarity 0 against one wrong pair at 1: the loss is ≈ 100 − log(1 + 2e⁻¹⁰⁰) ≈ 100.
        Assert.True(mismatched > 50, $"shuffled loss {mismatched}");
    }

    [Fact]
    public void DistinctGroupsGiveExactlyThePlainInfoNce()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var images = nn.functional.normalize(randn(6, 4, generator: generator), dim: -1);
        var texts = nn.functional.normalize(randn(6, 4, generator: generator), dim: -1);
        var distinct = tensor(new long[] { 40, 7, 3, 12, 0, 5 });

        Assert.Equal(Value(ContrastiveLoss.InfoNce(images, texts, Scalar(14.3))),
                     Value(ContrastiveLoss.InfoNce(images, texts, Scalar(14.3), distinct)), 1e-6);
    }

    [Fact]
    public void DuplicateCaptionsEqualTheHandWorkedMultiPositiveValue()
    {
        using var scope = NewDisposeScope();
        // Pairs 0 and 1 are the same caption with identical embeddings; pair 2 is different.
        var embeddings = Rows([[1, 0], [1, 0], [0, 1]]);
        var groups = tensor(new long[] { 0, 0, 1 });
        const double s = 10;
        // Rows 0 and 1 (each direction): logits (s, s, 0), targets (½, ½, 0):
        //   −½ log p₀ − ½ log p₁ with p₀ = p₁ = eˢ / (2eˢ + 1), i.e. log(2 + e⁻ˢ).
        // Row 2: logits (0, 0, s), target (0, 0, 1): log(1 + 2e⁻ˢ).
        double expected = (2 * Math.Log(2 + Math.Exp(-s)) + Math.Log(1 + 2 * Math.Exp(-s))) / 3;

        double multiPositive = Value(ContrastiveLoss.InfoNce(embeddings, embeddings, Scalar(s), groups));

        Assert.Equal(expected, multiPositive, 1e-5);
        // Exact duplicates have identical logits, so the soft targets cost the same as one-hot ones: log 2 per
        // duplicate row is the floor either way (the entropy of the targets).
        Assert.Equal(Value(ContrastiveLoss.InfoNce(embeddings, embeddings, Scalar(s))), multiPositive, 1e-5);
    }

    [Fact]
    public void PairsOfOneGroupAreNotNegatives()
    {
        using var scope = NewDisposeScope();
        // Images 0 and 1 are two pictures of one class; their captions are matched crosswise.
        var images = Rows([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
        var texts = Rows([[0, 1, 0], [1, 0, 0], [0, 0, 1]]);
        var groups = tensor(new long[] { 0, 0, 1 });
        const double s = 10;
        // Worked by hand: rows 0 and 1 have logits (0, s, 0) or (s, 0, 0) and targets (½, ½, 0):
        //   −½ log(1 / (eˢ + 2)) − ½ log(eˢ / (eˢ + 2)) = log(eˢ + 2) − s/2.  Row 2: log(1 + 2e⁻ˢ).
        double expected = (2 * (Math.Log(Math.Exp(s) + 2) - s / 2) + Math.Log(1 + 2 * Math.Exp(-s))) / 3;
        // Plain InfoNCE: rows 0 and 1 put their whole target on a logit of 0 against one of s: log(eˢ + 2).
        double plainByHand = (2 * Math.Log(Math.Exp(s) + 2) + Math.Log(1 + 2 * Math.Exp(-s))) / 3;

        double multiPositive = Value(ContrastiveLoss.InfoNce(images, texts, Scalar(s), groups));
        double plain = Value(ContrastiveLoss.InfoNce(images, texts, Scalar(s)));

        Assert.Equal(expected, multiPositive, 1e-5);
        Assert.Equal(plainByHand, plain, 1e-4);
        Assert.True(multiPositive < plain - 2, $"multi-positive {multiPositive} vs plain {plain}");
    }

    [Fact]
    public void SigmoidLossEqualsAHandWorkedTwoByTwoCase()
    {
        using var scope = NewDisposeScope();
        var images = Rows([[1, 0], [0, 1]]);
        var texts = Rows([[1, 0], [0.6, 0.8]]);
        const double t = 2, b = -1;
        // logits = t · (image · text) + b = [[2·1 − 1, 2·0.6 − 1], [2·0 − 1, 2·0.8 − 1]] = [[1, 0.2], [−1, 0.6]];
        // z = +1 on the diagonal, −1 off it; −log σ(x) = log(1 + e⁻ˣ).
        static double NegLogSigmoid(double x) => Math.Log(1 + Math.Exp(-x));
        double expected = (NegLogSigmoid(1) + NegLogSigmoid(-0.2) + NegLogSigmoid(1) + NegLogSigmoid(0.6)) / 2;

        double actual = Value(ContrastiveLoss.Sigmoid(images, texts, Scalar(t), Scalar(b)));

        Assert.Equal(expected, actual, 1e-5);
    }

    [Fact]
    public void SigmoidLossCountsGroupMatesAsPositives()
    {
        using var scope = NewDisposeScope();
        var embeddings = Rows([[1, 0], [1, 0]]);
        const double t = 3, b = -2;
        // Both pairs in one group: every logit is 3·1 − 2 = 1 and every z is +1.
        double expected = 4 * Math.Log(1 + Math.Exp(-1)) / 2;

        double actual = Value(ContrastiveLoss.Sigmoid(embeddings, embeddings, Scalar(t), Scalar(b), tensor(new long[] { 5, 5 })));

        Assert.Equal(expected, actual, 1e-5);
    }

    [Fact]
    public void MismatchedShapesAreRejectedWithTheShapes()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => ContrastiveLoss.InfoNce(zeros(3, 4), zeros(2, 4), Scalar(1)));
        Assert.Contains("(3, 4)", e.Message);
        Assert.Contains("(2, 4)", e.Message);
    }

    [Fact]
    public void InfoNceWithAHardNegativeEqualsAHandWorkedCase()
    {
        using var scope = NewDisposeScope();
        var images = Rows([[1, 0], [0, 1]]);
        var texts = Rows([[0.8, 0.6], [0, 1]]);
        var negatives = Rows([[0.6, 0.8]]);
        // scale 2. Image 0 scores texts 1.6, 0 and the negative 1.2; image 1 scores 1.2, 2 and 1.6 (its own text second).
        // Text 0 scores images 1.6, 1.2; text 1 scores 0, 2: the negative is no text of an image, so it is not a row here.
        static double Ce(double own, params double[] all) => -(own - Math.Log(all.Sum(Math.Exp)));
        double imageToText = (Ce(1.6, 1.6, 0, 1.2) + Ce(2, 1.2, 2, 1.6)) / 2;
        double textToImage = (Ce(1.6, 1.6, 1.2) + Ce(2, 0, 2)) / 2;

        double actual = Value(ContrastiveLoss.InfoNce(images, texts, Scalar(2), negatives: negatives));

        Assert.Equal((imageToText + textToImage) / 2, actual, 1e-5);
        Assert.True(actual > Value(ContrastiveLoss.InfoNce(images, texts, Scalar(2))));   // a negative can only add to the loss
    }

    [Fact]
    public void InfoNceWithHardNegativesGivesTheSameLossThroughTheGroupPathWhenEveryGroupIsDistinct()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        var images = nn.functional.normalize(randn(6, 8, generator: generator), dim: -1);
        var texts = nn.functional.normalize(randn(6, 8, generator: generator), dim: -1);
        var negatives = nn.functional.normalize(randn(6, 8, generator: generator), dim: -1);

        double plain = Value(ContrastiveLoss.InfoNce(images, texts, Scalar(5), negatives: negatives));
        double grouped = Value(ContrastiveLoss.InfoNce(images, texts, Scalar(5), arange(6), negatives));

        Assert.Equal(plain, grouped, 1e-5);
    }

    [Fact]
    public void SigmoidLossWithAHardNegativeAddsItAsANegativeOfEveryImage()
    {
        using var scope = NewDisposeScope();
        var images = Rows([[1, 0], [0, 1]]);
        var texts = Rows([[1, 0], [0.6, 0.8]]);
        var negatives = Rows([[0.6, 0.8]]);
        const double t = 2, b = -1;
        // The two-by-two case above, plus the negative's logits 2·0.6 − 1 = 0.2 (image 0) and 2·0.8 − 1 = 0.6 (image 1), z = −1.
        static double NegLogSigmoid(double x) => Math.Log(1 + Math.Exp(-x));
        double expected = (NegLogSigmoid(1) + NegLogSigmoid(-0.2) + NegLogSigmoid(1) + NegLogSigmoid(0.6)
                           + NegLogSigmoid(-0.2) + NegLogSigmoid(-0.6)) / 2;

        double actual = Value(ContrastiveLoss.Sigmoid(images, texts, Scalar(t), Scalar(b), negatives: negatives));

        Assert.Equal(expected, actual, 1e-5);
    }

    [Fact]
    public void HardNegativesOfAnotherWidthAreRefusedNamingTheShapes()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => ContrastiveLoss.InfoNce(zeros(2, 4), zeros(2, 4), Scalar(1), negatives: zeros(2, 3)));
        Assert.Contains("(2, 3)", e.Message);
    }
}
