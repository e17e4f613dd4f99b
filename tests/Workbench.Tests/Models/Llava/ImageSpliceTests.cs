using TorchSharp;
using Workbench.Models.Llava;
using static TorchSharp.torch;

namespace Workbench.Tests.Models.Llava;

public sealed class ImageSpliceTests
{
    const int Image = 3, Pad = 0;

    [Fact]
    public void EachImagesTokensStandExactlyWhereItsImageTokenStood()
    {
        using var scope = NewDisposeScope();
        // Three prompts of different lengths, right-padded, the image token at positions 1, 0 and 3.
        long[,] ids = { { 1, Image, 7, 8, Pad, Pad }, { Image, 9, 10, 11, 12, 13 }, { 1, 6, 6, Image, 5, Pad } };
        var tokens = tensor(ids);
        const int width = 2, n = 3;
        // Text embedding of id k is (k, -k); image token i of row r is (100r + i, 0.5).
        var text = stack([tokens.to_type(ScalarType.Float32), -tokens.to_type(ScalarType.Float32)], -1);
        var image = zeros(3, n, width);
        for (int r = 0; r < 3; r++)
            for (int i = 0; i < n; i++) { image[r, i, 0] = 100 * r + i; image[r, i, 1] = 0.5f; }

        var spliced = ImageSplice.Splice(text, image, ImageSplice.ImagePositions(tokens, Image));

        Assert.Equal(new long[] { 3, 6 - 1 + n, width }, spliced.shape);
        for (int r = 0; r < 3; r++)
        {
            // The reference: walk the row, emitting the image's tokens at the image token.
            var expected = new List<(float, float)>();
            for (int t = 0; t < 6; t++)
            {
                if (ids[r, t] == Image) for (int i = 0; i < n; i++) expected.Add((100 * r + i, 0.5f));
                else expected.Add((ids[r, t], -ids[r, t]));
            }
            for (int j = 0; j < expected.Count; j++)
                Assert.Equal(expected[j], (spliced[r, j, 0].item<float>(), spliced[r, j, 1].item<float>()));
        }
    }

    [Fact]
    public void TargetsInsideTheImageCarryNoLossAndTheLastImagePositionPredictsWhatFollows()
    {
        using var scope = NewDisposeScope();
        var tokens = tensor(new long[,] { { 1, Image, 7, 8 } });
        // Text targets: position t predicts token t+1; here the token after the image (7) is supervised.
        var targets = tensor(new long[,] { { -100, 7, 8, -100 } });
        var spliced = ImageSplice.SpliceTargets(targets, ImageSplice.ImagePositions(tokens, Image), 3, -100);
        Assert.Equal(new long[] { -100, -100, -100, 7, 8, -100 }, spliced[0].data<long>().ToArray());
    }

    [Fact]
    public void ARowWithoutOrWithTwoImageTokensIsAClearError()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => ImageSplice.ImagePositions(tensor(new long[,] { { 1, Image, Image }, { 1, 2, 4 } }), Image));
        Assert.Contains("exactly one image token", e.Message);
        Assert.Contains("2, 0", e.Message);
    }
}
