using TorchSharp;
using Workbench.Models;
using Workbench.Models.Language;
using static TorchSharp.torch;

namespace Workbench.Tests.Models;

public sealed class CanonLayerTests
{
    static CanonLayer WithFilter(params float[][] perChannel)
    {
        var layer = new CanonLayer(perChannel.Length, perChannel[0].Length);
        using (no_grad())
            layer.parameters().Single().copy_(tensor(perChannel.SelectMany(f => f).ToArray()).reshape(perChannel.Length, 1, perChannel[0].Length));
        return layer;
    }

    [Fact]
    public void EachOutputIsItsInputPlusAFilterOverItAndTheTokensBeforeIt()
    {
        using var scope = NewDisposeScope();
        // Two channels, kernel 3; filter taps act on (t−2, t−1, t); positions before the first read as zero.
        var layer = WithFilter([0.5f, -1f, 2f], [1f, 0f, 0f]);
        var x = tensor(new float[] { 1, 10, 2, 20, 3, 30, 4, 40 }).reshape(1, 4, 2);   // channel 0: 1 2 3 4; channel 1: 10 20 30 40
        // Channel 0: y_t = x_t + 0.5·x_{t−2} − x_{t−1} + 2·x_t = 3·x_t − x_{t−1} + 0.5·x_{t−2}: 3, 5, 7.5, 10.
        // Channel 1: y_t = x_t + x_{t−2}: 10, 20, 40, 60.
        float[] expected = [3, 10, 5, 20, 7.5f, 40, 10, 60];

        var y = layer.forward(x);

        Assert.Equal(expected, y.data<float>().ToArray());
    }

    [Fact]
    public void PaddingReadsAsZeroAndGenerationStepByStepGivesTheWholePass()
    {
        using var scope = NewDisposeScope();
        var layer = WithFilter([0.5f, -1f, 2f], [1f, 3f, 0f]);
        var x = randn(1, 5, 2, generator: new Generator(2));
        var whole = layer.forward(x);

        using var cache = new KeyValueCache(1);
        var steps = Enumerable.Range(0, 5).Select(t => layer.forward(x.narrow(1, t, 1), null, cache[0])).ToArray();
        Assert.True(cat(steps, 1).allclose(whole, atol: 1e-6));

        // Two pad positions in front, masked: the real tokens' outputs are those of the sequence alone.
        var padded = cat([full(1, 2, 2, 7f), x], 1);
        var real = tensor(new[] { false, false, true, true, true, true, true }).unsqueeze(0);
        Assert.True(layer.forward(padded, real, null).narrow(1, 2, 5).allclose(whole, atol: 1e-6));
    }

    [Fact]
    public void AGptModelWithCanonLayersHasOneFilterPerBlockAndNoneByDefault()
    {
        using var plain = new GptModel(new GptConfig(11, 16, 8, Layers: 2, Heads: 2));
        using var canon = new GptModel(new GptConfig(11, 16, 8, Layers: 2, Heads: 2) { Canon = 4 });
        Assert.DoesNotContain(plain.named_parameters(), p => p.name.Contains("canon"));
        Assert.Equal(["h.0.canon.conv.weight", "h.1.canon.conv.weight"], canon.named_parameters().Select(p => p.name).Where(n => n.Contains("canon")));
        Assert.Equal(new long[] { 8, 1, 4 }, canon.named_parameters().First(p => p.name.Contains("canon")).parameter.shape);
        Assert.Throws<ArgumentException>(() => new GptConfig(11) { Canon = -1 }.Validate());
    }

    [Fact]
    public void CanonFiltersKeepTheConvolutionsInitialisationNotGpt2s()
    {
        torch.manual_seed(5);
        using var model = new GptModel(new GptConfig(11, 16, 64, Layers: 2, Heads: 2) { Canon = 4 });
        var filters = model.named_parameters().Where(p => p.name.Contains("canon")).Select(p => p.parameter).ToList();
        var values = filters.SelectMany(f => f.data<float>().ToArray()).ToArray();
        // U(±1/√K) with K = 4: inside ±0.5, standard deviation 0.5/√3 ≈ 0.29; GPT-2's N(0, 0.02²) would give 0.02.
        Assert.All(values, v => Assert.InRange(v, -0.5f, 0.5f));
        double std = Math.Sqrt(values.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.2, 0.35);
        // Everything else still gets GPT-2's.
        var attention = model.named_parameters().First(p => p.name == "h.0.attn.in_proj_weight").parameter.data<float>().ToArray();
        Assert.InRange(Math.Sqrt(attention.Select(v => (double)v * v).Average()), 0.015, 0.025);
    }
}
