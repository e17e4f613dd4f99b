using TorchSharp;
using Workbench.Models;
using static TorchSharp.torch;

namespace Workbench.Tests.Models;

public sealed class RotaryPositionsTests
{
    [Fact]
    public void EachChannelPairTurnsByPositionTimesItsFrequency()
    {
        using var scope = NewDisposeScope();
        // Head width 4: pairs (0, 2) and (1, 3), frequencies 1 and 10000^(-2/4) = 0.01, worked by hand.
        var x = tensor(new float[] { 1, 2, 0, 0 }).reshape(1, 1, 1, 4);
        const long position = 3;
        var rotated = RotaryPositions.Apply(x, tensor(new long[] { position }).reshape(1, 1)).reshape(4);
        double a = position * 1.0, b = position * 0.01;
        var expected = new[] { Math.Cos(a), 2 * Math.Cos(b), Math.Sin(a), 2 * Math.Sin(b) };
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], rotated[i].item<float>(), 5);
    }

    [Fact]
    public void ScoresDependOnlyOnThePositionDifference()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        var q = randn(1, 1, 1, 8);
        var k = randn(1, 1, 1, 8);
        double Score(long qp, long kp) =>
            (RotaryPositions.Apply(q, tensor(new[] { qp }).reshape(1, 1)) * RotaryPositions.Apply(k, tensor(new[] { kp }).reshape(1, 1))).sum().item<float>();
        Assert.Equal(Score(5, 2), Score(45, 42), 4);
        Assert.Equal(Score(0, 7), Score(11, 18), 4);
        Assert.NotEqual(Score(5, 2), Score(5, 3), 2);
        // A rotation keeps lengths.
        var rotated = RotaryPositions.Apply(q, tensor(new long[] { 17 }).reshape(1, 1));
        Assert.Equal(q.norm().item<float>(), rotated.norm().item<float>(), 4);
    }

    [Fact]
    public void CrossAttentionRefusesRotaryPositions()
    {
        using var scope = NewDisposeScope();
        using var attention = new MultiHeadAttention(8, 2);
        var e = Assert.Throws<ArgumentException>(() => attention.forward(randn(1, 3, 8), randn(1, 4, 8), rotaryPositions: zeros(1, 3, dtype: ScalarType.Int64)));
        Assert.Contains("self-attention", e.Message);
    }
}
