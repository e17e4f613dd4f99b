using TorchSharp;
using Workbench.Models.Clip;
using static TorchSharp.torch;

namespace Workbench.Tests.Models;

public sealed class TextTransformerTests
{
    // End-of-text is deliberately NOT the largest id, so CLIP's argmax trick would pick the wrong token.
    const int EndOfText = 2;
    const int Pad = 0;

    static TextTransformer Tiny()
    {
        torch.manual_seed(11);
        var model = new TextTransformer(new TextTransformerConfig(
            VocabularySize: 30, EndOfTextId: EndOfText, ContextLength: 8, Width: 16, Layers: 2, Heads: 2, PadId: Pad));
        model.eval();
        return model;
    }

    static Tensor Tokens(params long[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray()).reshape(rows.Length, rows[0].Length);

    [Fact]
    public void HiddenStateAtAPositionIgnoresLaterTokens()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        using var noGrad = no_grad();
        var original = Tokens([10, 11, 12, 13, 14, 15, 16, 17]);
        var laterChanged = Tokens([10, 11, 12, 13, 25, 26, 27, 28]);
        var earlierChanged = Tokens([10, 20, 12, 13, 14, 15, 16, 17]);

        var h = model.HiddenStates(original);
        var hLater = model.HiddenStates(laterChanged);
        var hEarlier = model.HiddenStates(earlierChanged);

        // Positions 0..3 saw only tokens 0..3, which are the same.
        Assert.True(h[.., ..4].allclose(hLater[.., ..4], rtol: 0, atol: 1e-6));
        Assert.False(h[.., 4].allclose(hLater[.., 4], rtol: 0, atol: 1e-3));
        // Changing token 1 changes every position from 1 on, but not position 0.
        Assert.True(h[.., 0].allclose(hEarlier[.., 0], rtol: 0, atol: 1e-6));
        Assert.False(h[.., 3].allclose(hEarlier[.., 3], rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void CausalMaskHidesOnlyLaterPositions()
    {
        using var scope = NewDisposeScope();
        var mask = TextTransformer.CausalMask(3, ScalarType.Float32, CPU);
        float inf = float.NegativeInfinity;
        Assert.Equal(new float[] { 0, inf, inf, 0, 0, inf, 0, 0, 0 }, mask.data<float>().ToArray());
    }

    [Fact]
    public void PoolingPicksTheFirstEndOfTextOrElseTheLastTextToken()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        using var noGrad = no_grad();
        var tokens = Tokens(
            [10, 11, EndOfText, Pad, Pad, Pad],      // end-of-text at 2
            [10, 11, 12, 13, EndOfText, Pad],        // at 4, while larger ids come before it
            [EndOfText, 10, EndOfText, Pad, Pad, Pad], // the first of two at 0
            [10, 11, 12, Pad, Pad, Pad],             // none: last non-pad token, 2
            [29, 28, 27, 26, 25, 24]);               // none, no padding: last position, 5
        long[] expected = [2, 4, 0, 2, 5];

        Assert.Equal(expected, model.EndOfTextPositions(tokens).data<long>().ToArray());

        var pooled = model.forward(tokens);
        var hidden = model.HiddenStates(tokens);
        Assert.Equal(new long[] { 5, 16 }, pooled.shape);
        for (int row = 0; row < expected.Length; row++)
        {
            Assert.True(pooled[row].allclose(hidden[row, expected[row]], rtol: 0, atol: 1e-6), $"row {row}");
            long other = expected[row] == 0 ? 1 : 0;
            Assert.False(pooled[row].allclose(hidden[row, other], rtol: 0, atol: 1e-3), $"row {row} vs position {other}");
        }
    }

    [Fact]
    public void PooledTextIgnoresTokensAfterEndOfTextButNotBefore()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        using var noGrad = no_grad();
        var pooled = model.forward(Tokens([10, 11, 12, EndOfText, Pad, Pad, Pad, Pad]));
        var afterChanged = model.forward(Tokens([10, 11, 12, EndOfText, 20, 21, 22, 23]));
        var beforeChanged = model.forward(Tokens([10, 19, 12, EndOfText, Pad, Pad, Pad, Pad]));

        Assert.True(pooled.allclose(afterChanged, rtol: 0, atol: 1e-6));
        Assert.False(pooled.allclose(beforeChanged, rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void TextsLongerThanTheContextAreRejected()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        var e = Assert.Throws<ArgumentException>(() => model.forward(zeros(1, 9, dtype: ScalarType.Int64)));
        Assert.Contains("context length 8", e.Message);
    }
}
