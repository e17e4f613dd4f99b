using TorchSharp;
using Workbench.Models;
using Workbench.Models.Clip;
using Workbench.Runtime;
using static TorchSharp.torch;

namespace Workbench.Tests.Models;

public sealed class MultiHeadAttentionTests
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

    /// <summary>The per-head reference in doubles: query i sees key j where <paramref name="visible"/>(i, j).</summary>
    static double[,] Reference(MultiHeadAttention attention, double[,] queries, double[,] context, Func<int, int, bool> visible)
    {
        int width = attention.Width, heads = attention.Heads, headWidth = width / heads;
        var p = attention.named_parameters().ToDictionary(x => x.name, x => Matrix(x.parameter.reshape(-1, x.parameter.shape[^1])));
        var inWeight = p["in_proj_weight"];
        var inBias = p["in_proj_bias"];   // (1, 3W)
        double[,] Rows(double[,] m, int from) { var r = new double[width, m.GetLength(1)]; for (int i = 0; i < width; i++) for (int j = 0; j < m.GetLength(1); j++) r[i, j] = m[from + i, j]; return r; }
        double[,] Bias(int from) { var b = new double[1, width]; for (int i = 0; i < width; i++) b[0, i] = inBias[0, from + i]; return b; }
        var q = Affine(queries, Rows(inWeight, 0), Bias(0));
        var k = Affine(context, Rows(inWeight, width), Bias(width));
        var v = Affine(context, Rows(inWeight, 2 * width), Bias(2 * width));
        int nq = queries.GetLength(0), nk = context.GetLength(0);
        var merged = new double[nq, width];
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < nq; i++)
            {
                var seen = Enumerable.Range(0, nk).Where(j => visible(i, j)).ToList();
                if (seen.Count == 0) continue;   // attends to nothing
                var scores = seen.Select(j => Enumerable.Range(0, headWidth).Sum(d => q[i, h * headWidth + d] * k[j, h * headWidth + d]) / Math.Sqrt(headWidth)).ToArray();
                double max = scores.Max(), total = scores.Sum(s => Math.Exp(s - max));
                for (int n = 0; n < seen.Count; n++)
                    for (int d = 0; d < headWidth; d++)
                        merged[i, h * headWidth + d] += Math.Exp(scores[n] - max) / total * v[seen[n], h * headWidth + d];
            }
        return Affine(merged, p["out_proj.weight"], p["out_proj.bias"]);
    }

    static void AssertClose(double[,] expected, double[,] actual)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int c = 0; c < expected.GetLength(1); c++)
                Assert.Equal(expected[i, c], actual[i, c], 1e-5);
    }

    [Fact]
    public void CausalSelfAttentionMatchesAPerHeadLoopInDoubles()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(5);
        const int width = 4, heads = 2, length = 3;
        using var attention = new MultiHeadAttention(width, heads);
        var x = randn(1, length, width);
        var actual = Matrix(attention.forward(x, mask: TextTransformer.CausalMask(length, ScalarType.Float32, CPU))[0].detach());
        AssertClose(Reference(attention, Matrix(x[0]), Matrix(x[0]), (i, j) => j <= i), actual);
    }

    [Fact]
    public void ABooleanCausalMaskOnTheCpuMatchesAPerHeadLoopInDoublesWithAndWithoutGradients()
    {
        // The language model's mask: every row sees at least itself, so the softmax skips the zeroing of empty rows.
        using var scope = NewDisposeScope();
        torch.manual_seed(8);
        const int width = 6, heads = 3, length = 4;
        using var attention = new MultiHeadAttention(width, heads);
        var x = randn(1, length, width, requires_grad: true);
        var mask = Workbench.Models.Language.GptModel.CausalMask(length, 0, null, CPU);
        Assert.Equal(ScalarType.Bool, mask.dtype);
        var output = attention.forward(x, mask: mask);
        AssertClose(Reference(attention, Matrix(x[0].detach()), Matrix(x[0].detach()), (i, j) => j <= i), Matrix(output[0].detach()));
        // The last position's output does not reach back to earlier positions' gradients through the mask the other way:
        // position 0's output depends on position 0 alone.
        output[0, 0].sum().backward();
        Assert.Equal(0.0, x.grad![0, 1..].abs().sum().item<float>(), 6);
        Assert.True(x.grad![0, 0].abs().sum().item<float>() > 0);
    }

    [Fact]
    public void CrossAttentionReadsKeysAndValuesFromTheContext()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(6);
        const int width = 6, heads = 3;
        using var attention = new MultiHeadAttention(width, heads);
        var queries = randn(1, 2, width);
        var context = randn(1, 5, width);
        var actual = Matrix(attention.forward(queries, context)[0].detach());
        AssertClose(Reference(attention, Matrix(queries[0]), Matrix(context[0]), (_, _) => true), actual);
    }

    [Fact]
    public void ABooleanMaskRowWithNothingVisibleAttendsToNothingAndPassesBackNoNaN()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(7);
        const int width = 4, heads = 2;
        using var attention = new MultiHeadAttention(width, heads);
        var queries = randn(1, 3, width, requires_grad: true);
        var context = randn(1, 4, width, requires_grad: true);
        // Query 0 sees nothing, query 1 keys 0-1, query 2 keys 2-3.
        bool[,] visible = { { false, false, false, false }, { true, true, false, false }, { false, false, true, true } };
        var mask = tensor(visible.Cast<bool>().ToArray(), [3, 4]);
        var output = attention.forward(queries, context, mask);
        AssertClose(Reference(attention, Matrix(queries[0].detach()), Matrix(context[0].detach()), (i, j) => visible[i, j]), Matrix(output[0].detach()));
        output.sum().backward();
        Assert.False(queries.grad!.isnan().any().item<bool>());
        Assert.False(context.grad!.isnan().any().item<bool>());
        Assert.False(attention.InProjectionWeight.grad!.isnan().any().item<bool>());
        // Nothing flows back from query 0's output to its input: it read nothing.
        Assert.Equal(0.0, queries.grad![0, 0].abs().sum().item<float>(), 6);
    }

    [Fact]
    public void WidthMustSplitIntoHeads()
    {
        var e = Assert.Throws<ArgumentException>(() => new MultiHeadAttention(10, 4));
        Assert.Contains("multiple of the head count 4", e.Message);
    }
}
