using TorchSharp;
using Workbench.Models.Clip;
using Workbench.Models.Flamingo;
using Workbench.Models.Language;
using static TorchSharp.torch;

namespace Workbench.Tests.Models.Flamingo;

public sealed class FlamingoAttentionTests
{
    const int Image = 3, Eoc = 4, Latents = 4;
    // <bos> 9 <image> 5 6 <eoc> <image> 7 8 <eoc>
    static readonly long[] Ids = [1, 9, Image, 5, 6, Eoc, Image, 7, 8, Eoc];
    const int AfterFirstImage = 4, AfterSecondImage = 8;

    static FlamingoModel Tiny(int every = 1)
    {
        torch.manual_seed(11);
        var tower = new ConvImageEncoder(new ConvImageEncoderConfig(BaseWidth: 4, Blocks: 2, ImageSize: 16, FlattenWidth: 12));
        var language = new GptModel(new GptConfig(20, ContextLength: 40, Width: 16, Layers: 4, Heads: 2));
        var model = new FlamingoModel(tower, language, Image, Eoc, crossAttentionEvery: every, latents: Latents, resamplerDepth: 2);
        using var noGrad = no_grad();
        foreach (var (_, layer) in model.CrossAttentionLayers)
            foreach (var gate in layer.GateParameters) gate.fill_(1.0);
        model.eval();
        return model;
    }

    static Tensor Features(FlamingoModel model, int images, int seed) =>
        model.VisionFeaturesOf(randn(images, 3, 16, 16, generator: new Generator((ulong)seed)));   // (M, N, Wv)

    [Fact]
    public void TheMapHasOneNonNegativeWeightPerPatchSummingToOne()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        var features = Features(model, 2, 1);
        foreach (var (position, image) in new[] { (AfterFirstImage, 0), (AfterSecondImage, 1) })
            foreach (var (block, _) in model.CrossAttentionLayers)
            {
                var map = FlamingoAttention.Map(model, tensor(Ids), features, position, block);
                Assert.Equal((image, block, position), (map.Image, map.Block, map.Position));
                Assert.Equal(model.VisionTower.TokenCount(model.VisionLayer), map.Patches.Count);
                Assert.Equal(Latents, map.Latents.Count);
                Assert.All(map.Patches, w => Assert.True(w >= 0));
                Assert.Equal(1.0, map.Patches.Sum(), 5);
                Assert.Equal(1.0, map.Latents.Sum(), 5);
            }
    }

    [Fact]
    public void LatentsThatAttendUniformlyGiveAUniformMap()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        // Queries and keys of the resampler's last layer at zero: every score is equal, so each latent spreads its attention
        // evenly over [features ; latents], and whatever the token's weights over the latents, each patch gets 1/N.
        int last = model.Resampler.Depth - 1;
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            long width = model.Resampler.Width;
            parameters[$"perceiver.layers.{last}.attn.in_proj_weight"].narrow(0, 0, 2 * width).zero_();
            parameters[$"perceiver.layers.{last}.attn.in_proj_bias"].narrow(0, 0, 2 * width).zero_();
        }
        var map = FlamingoAttention.Map(model, tensor(Ids), Features(model, 2, 3), AfterSecondImage);
        double uniform = 1.0 / map.Patches.Count;
        Assert.All(map.Patches, w => Assert.Equal(uniform, w, 6));
        Assert.False(map.Latents.All(w => Math.Abs(w - 1.0 / Latents) < 1e-6), "the token's own attention over the latents should not be uniform here");
    }

    [Fact]
    public void ATokensMapReadsOnlyItsMostRecentImage()
    {
        // In the first gated block (before block 0) the hidden states are the embeddings: nothing of the first image reaches a
        // token after the second, so replacing the first image leaves its map as it was, and replacing the second changes it.
        using var scope = NewDisposeScope();
        using var model = Tiny();
        var features = Features(model, 2, 1);
        var otherFirst = features.clone();
        otherFirst[0] = Features(model, 1, 5)[0];
        var otherSecond = features.clone();
        otherSecond[1] = Features(model, 1, 5)[0];
        var map = FlamingoAttention.Map(model, tensor(Ids), features, AfterSecondImage, block: 0).Patches;
        Assert.Equal(map, FlamingoAttention.Map(model, tensor(Ids), otherFirst, AfterSecondImage, block: 0).Patches);
        Assert.NotEqual(map, FlamingoAttention.Map(model, tensor(Ids), otherSecond, AfterSecondImage, block: 0).Patches);
    }

    [Fact]
    public void ATokenBeforeAnyImageOrABlockWithoutCrossAttentionIsRefusedByName()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny(every: 2);
        var features = Features(model, 2, 1);
        Assert.Contains("no image", Assert.Throws<ArgumentException>(() => FlamingoAttention.Map(model, tensor(Ids), features, 1)).Message);
        Assert.Contains("blocks 1, 3", Assert.Throws<ArgumentException>(() => FlamingoAttention.Map(model, tensor(Ids), features, AfterFirstImage, block: 0)).Message);
        Assert.Equal(3, FlamingoAttention.Map(model, tensor(Ids), features, AfterFirstImage).Block);   // default: the last gated block
    }
}
