using TorchSharp;
using Workbench.Models;
using Workbench.Models.Clip;
using Workbench.Models.Flamingo;
using Workbench.Models.Language;
using static TorchSharp.torch;

namespace Workbench.Tests.Models.Flamingo;

public sealed class FlamingoModelTests
{
    const int Image = 3, Eoc = 4;

    static FlamingoModel Tiny(int every = 1, int latents = 4, int depth = 2)
    {
        torch.manual_seed(7);
        var tower = new ConvImageEncoder(new ConvImageEncoderConfig(BaseWidth: 4, Blocks: 2, ImageSize: 16, FlattenWidth: 12));
        var language = new GptModel(new GptConfig(20, ContextLength: 40, Width: 16, Layers: 4, Heads: 2));
        return new FlamingoModel(tower, language, Image, Eoc, crossAttentionEvery: every, latents: latents, resamplerDepth: depth, patchPositions: depth == 0);
    }

    /// <summary>Opens every gate to tanh(α) = tanh(1) so the images matter.</summary>
    static void OpenGates(FlamingoModel model)
    {
        using var noGrad = no_grad();
        foreach (var (_, layer) in model.CrossAttentionLayers)
            foreach (var gate in layer.GateParameters) gate.fill_(1.0);
    }

    // <bos> <image> <eoc> 5 6 <image> <eoc> 7 8 with text before the first image: 9 10 <image> ...
    static readonly long[] Ids = [1, 9, 10, Image, Eoc, 5, 6, 7, Image, Eoc, 8, 11, 12];
    const int FirstImage = 3, SecondImage = 8;

    static Tensor Features(FlamingoModel model, int images, int seed)
    {
        var generator = new Generator((ulong)seed);
        return model.VisionFeaturesOf(randn(images, 3, 16, 16, generator: generator)).unsqueeze(0);   // (1, M, N, Wv)
    }

    [Fact]
    public void WithEveryGateAtZeroTheLogitsAreTheFrozenLanguageModelsExactly()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        var ids = tensor(Ids).unsqueeze(0);
        var flamingo = model.Logits(ids, Features(model, 2, 1));
        var language = model.LanguageModel.forward(ids);
        Assert.True(flamingo.equal(language).all().item<bool>(), $"largest difference {(flamingo - language).abs().max().item<float>()}");
        Assert.All(model.CrossAttentionLayers, l => Assert.Equal((0.0, 0.0), l.Layer.Gates));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0)]   // without a resampler: the patches themselves are the visual tokens
    public void EachTokenCrossAttendsOnlyToItsMostRecentImage(int depth)
    {
        // What a gated layer adds to each token depends on that token's most recent image only. (In the whole model a token
        // after the second image still hears of the first one through the language model's self-attention over earlier
        // text, as in Flamingo: the isolation is the cross-attention's, so it is checked layer by layer on the same input.)
        using var scope = NewDisposeScope();
        using var model = Tiny(depth: depth);
        OpenGates(model);
        var ids = tensor(Ids).unsqueeze(0);
        var recent = model.MostRecentImage(ids);
        Assert.Equal([-1, -1, -1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1], recent[0].data<long>().ToArray());
        var features = Features(model, 2, 1);
        var otherFirst = features.clone();
        otherFirst[0, 0] = Features(model, 1, 2)[0, 0];
        var hidden = randn(1, Ids.Length, 16);
        var original = model.CrossAttention(model.Media(features), recent);
        var changed = model.CrossAttention(model.Media(otherFirst), recent);
        foreach (var (block, _) in model.CrossAttentionLayers)
        {
            var a = original(block, hidden)[0];
            var b = changed(block, hidden)[0];
            Assert.True(a[SecondImage..].equal(b[SecondImage..]).all().item<bool>(), $"layer {block}: a token after the second image read the first");
            Assert.False(a[FirstImage..SecondImage].allclose(b[FirstImage..SecondImage]), $"layer {block}: tokens after the first image did not read it");
        }
    }

    [Fact]
    public void TheMostRecentImageOfEachTokenMatchesTheDataLayersCount()
    {
        // Two implementations: the model's cumulative sum over ids (a tensor, batched) and the data layer's walk over a
        // tokenized document (arrays); they must agree, padding included.
        using var scope = NewDisposeScope();
        using var model = Tiny();
        var words = Workbench.Text.WordTokenizer.Build(["a b c"]);
        var image = new Workbench.Data.RgbImage(2, 2);
        var documents = new[] { "a <image> b <image> <image> c", "<image> a b", "a b c" }
            .Select(text => Workbench.Data.Interleaved.TokenizedInterleaved.From(
                Workbench.Data.Interleaved.InterleavedDocument.Parse(text, Enumerable.Repeat(image, text.Split("<image>").Length - 1).ToList()), words, addBegin: true))
            .ToList();
        Assert.Equal(Image, words.ImageId);
        foreach (var document in documents)
        {
            var ids = tensor(document.Ids.Select(i => (long)i).ToArray()).unsqueeze(0);
            Assert.Equal(document.MostRecentImage.Select(i => (long)i), model.MostRecentImage(ids)[0].data<long>().ToArray());
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0)]   // without a resampler: the patches themselves are the visual tokens
    public void TokensBeforeTheFirstImageDoNotDependOnAnyImage(int depth)
    {
        using var scope = NewDisposeScope();
        using var model = Tiny(depth: depth);
        OpenGates(model);
        var ids = tensor(Ids).unsqueeze(0);
        var logits = model.Logits(ids, Features(model, 2, 1))[0];
        var other = model.Logits(ids, Features(model, 2, 3))[0];
        Assert.True(other[..FirstImage].equal(logits[..FirstImage]).all().item<bool>(), "a token before the first image saw an image");
        Assert.False(other[SecondImage..].allclose(logits[SecondImage..]), "tokens after the images did not see them");
    }

    [Fact]
    public void ATokenWithoutAnImageGetsExactlyZeroFromTheCrossAttentionAndNoNaN()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        var block = new GatedCrossAttentionBlock(16, 2);
        using (no_grad()) block.GateParameters.First().fill_(2.0);   // cross-attention open, feed-forward closed
        var x = randn(1, 5, 16, requires_grad: true);
        var media = randn(1, 2 * 3, 16);                              // two images of three tokens
        var recent = tensor(new long[] { -1, -1, 0, 0, 1 }).unsqueeze(0);
        var mask = recent.unsqueeze(-1).eq(tensor(new long[] { 0, 0, 0, 1, 1, 1 }).view(1, 1, -1)).unsqueeze(1);
        var hasImage = recent.ge(0).unsqueeze(-1).to_type(ScalarType.Float32);
        var y = block.forward(x, media, mask, hasImage);
        Assert.True(y[0, ..2].equal(x[0, ..2]).all().item<bool>(), "a token before any image was changed");
        y.sum().backward();
        Assert.False(x.grad!.isnan().any().item<bool>(), "NaN gradients through a fully masked row");

        // A second implementation: token 4 reads image 1 alone, through the same attention without a mask.
        var queries = block.Queries(x[.., 4..5]);
        var alone = block.Attention.forward(queries, media[.., 3..6]);
        var expected = x[0, 4] + Math.Tanh(2.0) * alone[0, 0];
        Assert.True(y[0, 4].allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void TheResamplersOutputSizeDoesNotDependOnThePatchCount()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(5);
        var resampler = new PerceiverResampler(inputWidth: 12, width: 16, depth: 2, latentCount: 5, heads: 2);
        Assert.Equal([3, 5, 16], resampler.forward(randn(3, 4, 12)).shape);
        Assert.Equal([3, 5, 16], resampler.forward(randn(3, 49, 12)).shape);

        // Without positional embeddings, latents read a set: the order of the patches does not matter.
        var features = randn(1, 9, 12);
        var shuffled = features.index_select(1, tensor(new long[] { 8, 3, 0, 5, 1, 7, 2, 6, 4 }));
        Assert.True(resampler.forward(features).allclose(resampler.forward(shuffled), rtol: 1e-4, atol: 1e-5));

        // Time embeddings tell frames apart: the same two frames swapped give other latents.
        var video = new PerceiverResampler(12, 16, 1, 5, 2, maxFrames: 2);
        using (no_grad()) foreach (var p in video.parameters().Where(p => p.dim() == 3)) p.normal_(0, 1);
        var frames = randn(1, 2, 4, 12);
        Assert.False(video.Frames(frames).allclose(video.Frames(frames.flip(1)), rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void WithoutLayersTheResamplerPassesEachPatchThroughWithItsPosition()
    {
        // Depth 0, the ablation without a resampler: no latents, and token n of the output is patch n projected to the
        // language model's width, plus patch n's position embedding, layer-normalised, worked here by hand.
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        var resampler = new PerceiverResampler(inputWidth: 12, width: 16, depth: 0, latentCount: 9, heads: 2, maxPatches: 9);
        Assert.Equal(0, resampler.Depth);
        Assert.DoesNotContain(resampler.named_parameters(), p => p.name == "latents");
        var parameters = resampler.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad()) foreach (var p in parameters.Values) p.normal_(0, 1);   // the norm's gain and bias too, so they count
        var features = randn(2, 9, 12);
        var x = features.matmul(parameters["input_proj.weight"].t()) + parameters["input_proj.bias"] + parameters["patch_pos_embs"];
        var centred = x - x.mean([-1], keepdim: true);
        var expected = centred / (centred.pow(2).mean([-1], keepdim: true) + 1e-5).sqrt() * parameters["norm.weight"] + parameters["norm.bias"];
        Assert.True(resampler.forward(features).allclose(expected, rtol: 1e-4, atol: 1e-5));
        // Its output is the patches, so another patch count is an error, not a silent mismatch with the cross-attention mask.
        var error = Assert.Throws<ArgumentException>(() => resampler.forward(randn(2, 4, 12)));
        Assert.Contains("9 patches", error.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0)]
    public void OnlyTheResamplerTheGatedBlocksAndTheSpecialEmbeddingsTrain(int depth)
    {
        using var scope = NewDisposeScope();
        using var model = Tiny(every: 2, depth: depth);
        OpenGates(model);
        Assert.Equal([1, 3], model.CrossAttentionLayers.Select(l => l.Block));   // before every 2nd block, as OpenFlamingo places them
        var ids = tensor(Ids).unsqueeze(0);
        var targets = ids.roll(-1, 1);
        model.Loss(ids, targets, Features(model, 2, 1)).backward();
        foreach (var (name, parameter) in model.named_parameters())
        {
            bool trains = name.StartsWith("perceiver.") || name.StartsWith("gated_cross_attn_layers.") || name == "special_embeddings";
            Assert.Equal(trains, parameter.requires_grad);
            if (trains) Assert.True(parameter.grad is not null && parameter.grad.abs().sum().item<float>() > 0, $"{name} got no gradient");
            else Assert.True(parameter.grad is null, $"{name} received a gradient");
        }
    }

    [Fact]
    public void TheTunedLanguageModelAblationTrainsTheLanguageModelButNeverTheTower()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        model.FreezeLanguageModel(false);
        OpenGates(model);
        var ids = tensor(Ids).unsqueeze(0);
        model.Loss(ids, ids.roll(-1, 1), Features(model, 2, 1)).backward();
        foreach (var (name, parameter) in model.named_parameters())
        {
            bool trains = !name.StartsWith("vision_tower.");
            Assert.Equal(trains, parameter.requires_grad);
            if (trains) Assert.True(parameter.grad is not null && parameter.grad.abs().sum().item<float>() > 0, $"{name} got no gradient");
            else Assert.True(parameter.grad is null, $"{name} received a gradient");
        }
        model.FreezeLanguageModel(true);
        Assert.All(model.LanguageModel.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void GenerationWithAndWithoutTheCacheGivesTheSameTokens()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        OpenGates(model);
        model.eval();
        var ids = tensor(Ids[..10]).unsqueeze(0);
        var features = Features(model, 2, 4);
        var hook = model.CrossAttention(model.Media(features), model.MostRecentImage(ids));
        var options = new SamplingOptions(MaxNewTokens: 6, Greedy: true);
        var cached = TextGeneration.Generate(model.LanguageModel, model.Embed(ids), null, options, useCache: true, beforeBlock: hook);
        var uncached = TextGeneration.Generate(model.LanguageModel, model.Embed(ids), null, options, useCache: false, beforeBlock: hook);
        Assert.Equal(uncached[0], cached[0]);
        Assert.Equal(6, cached[0].Length);
    }
}
