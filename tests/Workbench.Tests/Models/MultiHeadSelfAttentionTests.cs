using TorchSharp;
using Workbench.Models;
using Workbench.Models.Clip;
using static TorchSharp.torch;

namespace Workbench.Tests.Models;

public sealed class MultiHeadSelfAttentionTests
{
    static double[,] Matrix(Tensor t)
    {
        var values = t.to_type(ScalarType.Float64).data<double>().ToArray();
        int rows = (int)t.shape[0], columns = (int)t.shape[1];
        var m = new double[rows, columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) m[r, c] = values[r * columns + c];
        return m;
    }

    /// <summary>y = W x + b for every row of <paramref name="x"/>, in doubles.</summary>
    static double[,] Affine(double[,] x, double[,] weight, double[,] bias)
    {
        int n = x.GetLength(0), outputs = weight.GetLength(0), inputs = weight.GetLength(1);
        var y = new double[n, outputs];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < outputs; o++)
            {
                double sum = bias[0, o];
                for (int k = 0; k < inputs; k++) sum += weight[o, k] * x[i, k];
                y[i, o] = sum;
            }
        return y;
    }

    [Fact]
    public void CausalAttentionMatchesAPerHeadLoopInDoubles()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(5);
        const int width = 4, heads = 2, length = 3, headWidth = width / heads;
        using var attention = new MultiHeadSelfAttention(width, heads);
        var x = randn(1, length, width);
        var parameters = attention.named_parameters().ToDictionary(p => p.name, p => Matrix(p.parameter.reshape(-1, p.parameter.shape[^1])));

        var actual = Matrix(attention.forward(x, TextTransformer.CausalMask(length, ScalarType.Float32, CPU))[0].detach());

        var input = Matrix(x[0]);
        var q = Affine(input, parameters["query.weight"], parameters["query.bias"]);
        var k = Affine(input, parameters["key.weight"], parameters["key.bias"]);
        var v = Affine(input, parameters["value.weight"], parameters["value.bias"]);
        var merged = new double[length, width];
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < length; i++)
            {
                // Query i sees keys 0..i only.
                var scores = new double[i + 1];
                for (int j = 0; j <= i; j++)
                {
                    for (int d = 0; d < headWidth; d++) scores[j] += q[i, h * headWidth + d] * k[j, h * headWidth + d];
                    scores[j] /= Math.Sqrt(headWidth);
                }
                double max = scores.Max(), total = scores.Sum(s => Math.Exp(s - max));
                for (int j = 0; j <= i; j++)
                    for (int d = 0; d < headWidth; d++)
                        merged[i, h * headWidth + d] += Math.Exp(scores[j] - max) / total * v[j, h * headWidth + d];
            }
        var expected = Affine(merged, parameters["output.weight"], parameters["output.bias"]);

        for (int i = 0; i < length; i++)
            for (int c = 0; c < width; c++)
                Assert.Equal(expected[i, c], actual[i, c], 1e-5);
    }

    [Fact]
    public void WidthMustSplitIntoHeads()
    {
        var e = Assert.Throws<ArgumentException>(() => new MultiHeadSelfAttention(10, 4));
        Assert.Contains("multiple of the head count 4", e.Message);
    }
}
