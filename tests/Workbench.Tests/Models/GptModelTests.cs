using TorchSharp;
using Workbench.Models;
using Workbench.Models.Language;
using static TorchSharp.torch;

namespace Workbench.Tests.Models;

public sealed class GptModelTests
{
    static GptModel Tiny(int seed = 1, int vocabulary = 11, int layers = 2, PositionEncoding positions = PositionEncoding.Learned, int canon = 0)
    {
        torch.manual_seed(seed);
        var model = new GptModel(new GptConfig(vocabulary, ContextLength: 24, Width: 16, Layers: layers, Heads: 2) { Positions = positions, Canon = canon });
        if (canon > 0)   // GPT-2's initialisation leaves the filters small; make them matter, so the tests below could fail
            using (torch.no_grad())
                foreach (var (name, p) in model.named_parameters().Where(p => p.name.Contains("canon")).ToList()) p.normal_(0, 0.5);
        model.eval();
        return model;
    }

    [Fact]
    public void ParameterNamesAreGpt2sAndTheHeadIsTied()
    {
        using var model = Tiny();
        var names = model.state_dict().Keys.ToHashSet();
        string[] expected = ["wte.weight", "wpe.weight", "h.0.ln_1.weight", "h.0.attn.in_proj_weight", "h.0.attn.out_proj.weight",
                             "h.1.ln_2.bias", "h.1.mlp.c_fc.weight", "h.1.mlp.c_proj.bias", "ln_f.weight"];
        Assert.All(expected, name => Assert.Contains(name, names));
        Assert.DoesNotContain(names, n => n.StartsWith("lm_head"));
    }

    [Fact]
    public void LogitsAreTheFinalHiddenStatesTimesTheTokenEmbedding()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        var tokens = tensor(new long[] { 1, 4, 2, 7 }).unsqueeze(0);
        var hidden = model.HiddenStates(model.Embed(tokens));
        var expected = hidden[0].matmul(model.TokenEmbedding.t());
        var logits = model.forward(tokens)[0];
        Assert.True(logits.allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void LastLogitsAreTheLogitsOfTheLastPosition()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        var embedded = model.Embed(tensor(new long[,] { { 1, 4, 2, 7 }, { 3, 3, 9, 0 } }));
        Assert.True(model.LastLogits(embedded).allclose(model.Logits(embedded)[.., ^1], rtol: 1e-5, atol: 1e-6));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void ATokenNeverSeesTheTokensAfterIt(int canon)
    {
        using var scope = NewDisposeScope();
        using var model = Tiny(canon: canon);
        var a = model.forward(tensor(new long[] { 3, 1, 4, 1, 5 }).unsqueeze(0));
        var b = model.forward(tensor(new long[] { 3, 1, 4, 9, 2 }).unsqueeze(0));
        Assert.True(a[0, ..3].allclose(b[0, ..3], atol: 1e-6));
        Assert.False(a[0, 3].allclose(b[0, 3], atol: 1e-4));
    }

    [Theory]
    [InlineData(true, PositionEncoding.Learned)]
    [InlineData(false, PositionEncoding.Learned)]
    [InlineData(true, PositionEncoding.Rotary)]
    [InlineData(false, PositionEncoding.Rotary)]
    [InlineData(true, PositionEncoding.Learned, 3)]
    [InlineData(false, PositionEncoding.Rotary, 4)]
    public void GenerationWithAndWithoutTheCacheGivesTheSameTokens(bool greedy, PositionEncoding positions, int canon = 0)
    {
        using var scope = NewDisposeScope();
        using var model = Tiny(seed: 3, positions: positions, canon: canon);
        // Two prompts of different lengths, the shorter left-padded.
        var tokens = tensor(new long[,] { { 0, 0, 5, 6 }, { 2, 3, 4, 8 } });
        var mask = tensor(new bool[,] { { false, false, true, true }, { true, true, true, true } });
        var options = new SamplingOptions(MaxNewTokens: 8, Greedy: greedy, Temperature: 1.5, TopK: 6, Seed: 11);
        var cached = TextGeneration.Generate(model, model.Embed(tokens), mask, options, useCache: true);
        var recomputed = TextGeneration.Generate(model, model.Embed(tokens), mask, options, useCache: false);
        Assert.Equal(cached, recomputed);
        Assert.All(cached, row => Assert.Equal(8, row.Length));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void ALeftPaddedPromptContinuesAsTheSamePromptAlone(int canon)
    {
        using var scope = NewDisposeScope();
        using var model = Tiny(seed: 4, canon: canon);
        var options = new SamplingOptions(MaxNewTokens: 6);
        var alone = TextGeneration.Generate(model, model.Embed(tensor(new long[] { 5, 6 }).unsqueeze(0)), null, options);
        var padded = TextGeneration.Generate(model, model.Embed(tensor(new long[,] { { 9, 9, 9, 5, 6 } })),
            tensor(new bool[,] { { false, false, false, true, true } }), options);
        Assert.Equal(alone[0], padded[0]);
    }

    [Fact]
    public void GenerationStopsAtTheStopToken()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny(seed: 5);
        var prompt = model.Embed(tensor(new long[] { 1, 2 }).unsqueeze(0));
        var free = TextGeneration.Generate(model, prompt, null, new SamplingOptions(MaxNewTokens: 6))[0];
        var stopped = TextGeneration.Generate(model, prompt, null, new SamplingOptions(MaxNewTokens: 6, StopToken: (int)free[2]))[0];
        int first = Array.IndexOf(free, free[2]);
        Assert.Equal(free.Take(first), stopped);
    }

    [Fact]
    public void TrainingTeachesItToContinueASequence()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny(seed: 6, vocabulary: 13);
        model.train();
        long[] sequence = [1, 7, 3, 9, 2, 11, 5, 8, 4, 12];
        var ids = tensor(sequence).unsqueeze(0);
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-2);
        for (int step = 0; step < 150; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var logits = model.forward(ids[.., ..^1]);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, 13), ids[0, 1..]);
            loss.backward();
            optimizer.step();
        }
        model.eval();
        var continued = TextGeneration.Generate(model, model.Embed(ids[.., ..3]), null, new SamplingOptions(MaxNewTokens: 7))[0];
        Assert.Equal(sequence[3..], continued);
    }

    [Fact]
    public void ARotaryModelHasNoPositionTableAndSeesOnlyRelativePositions()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny(seed: 7, positions: PositionEncoding.Rotary);
        Assert.DoesNotContain("wpe.weight", model.state_dict().Keys);
        using (no_grad())   // GPT-2's small initial weights make every score nearly 0; sharpen them so positions matter
            foreach (var block in model.Blocks) block.Attention.InProjectionWeight.mul_(30);
        var embedded = model.Embed(tensor(new long[] { 3, 1, 4, 1, 5, 9 }).unsqueeze(0));
        var fromZero = model.Logits(embedded);
        var fromNine = model.Logits(embedded, positions: arange(9, 15, dtype: ScalarType.Int64).unsqueeze(0));
        // Only differences of positions reach the scores, so a whole sequence moved along gives the same logits...
        Assert.True(fromNine.allclose(fromZero, rtol: 1e-4, atol: 1e-5));
        // ...while spreading its tokens apart changes them.
        var spread = model.Logits(embedded, positions: tensor(new long[] { 0, 2, 4, 6, 8, 10 }).unsqueeze(0));
        Assert.False(spread.allclose(fromZero, rtol: 1e-3, atol: 1e-3));
        using var learned = Tiny(seed: 7);
        var learnedEmbedded = learned.Embed(tensor(new long[] { 3, 1, 4, 1, 5, 9 }).unsqueeze(0));
        Assert.False(learned.Logits(learnedEmbedded, positions: arange(9, 15, dtype: ScalarType.Int64).unsqueeze(0))
            .allclose(learned.Logits(learnedEmbedded), rtol: 1e-3, atol: 1e-3));
    }

    [Fact]
    public void PositionsBeyondTheContextAreAClearError()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        var e = Assert.Throws<ArgumentException>(() => model.forward(zeros(1, 25, dtype: ScalarType.Int64)));
        Assert.Contains("context length 24", e.Message);
    }
}
