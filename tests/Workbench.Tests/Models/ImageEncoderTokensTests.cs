using TorchSharp;
using Workbench.Models.Clip;
using static TorchSharp.torch;

namespace Workbench.Tests.Models;

public sealed class ImageEncoderTokensTests
{
    [Fact]
    public void ViTTokensAreOnePerPatchFromTheChosenLayer()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        using var vit = new VisionTransformer(new VisionTransformerConfig(ImageSize: 16, PatchSize: 4, Width: 8, Layers: 3, Heads: 2));
        vit.eval();
        var images = randn(2, 3, 16, 16);
        Assert.Equal(-2, vit.DefaultTokenLayer);
        Assert.Equal(new long[] { 2, 16, 8 }, vit.Tokens(images, -2).shape);
        Assert.Equal(16, vit.TokenCount(-2));
        // Layer 0 is the embedding: changing one patch's pixels changes that token alone.
        var changed = images.clone();
        changed[0, .., 4..8, 8..12] = randn(3, 4, 4);
        var before = vit.Tokens(images, 0);
        var after = vit.Tokens(changed, 0);
        var moved = (after - before).abs().sum(-1)[0].gt(1e-6).nonzero().flatten();
        Assert.Equal(new long[] { 1 * 4 + 2 }, moved.data<long>().ToArray());
        // The penultimate and last layers differ, and the last equals 3 blocks.
        Assert.False(vit.Tokens(images, -1).allclose(vit.Tokens(images, -2)));
        Assert.True(vit.Tokens(images, -1).allclose(vit.Tokens(images, 3)));
        Assert.Throws<ArgumentException>(() => vit.Tokens(images, 4));
    }

    [Fact]
    public void CnnTokensAreTheLastFeatureMapWhoseMeanIsThePooledFeature()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        // Without a flattening head the CNN's feature is the global average of its last feature map.
        using var cnn = new ConvImageEncoder(new ConvImageEncoderConfig(BaseWidth: 4, Blocks: 2));
        var images = randn(2, 3, 16, 16);
        var tokens = cnn.Tokens(images, -1);
        Assert.Equal(new long[] { 2, 16, 8 }, tokens.shape);
        Assert.True(tokens.mean([1L]).allclose(cnn.forward(images), atol: 1e-6));
        using var positioned = new ConvImageEncoder(new ConvImageEncoderConfig(BaseWidth: 4, Blocks: 2, ImageSize: 16));
        Assert.Equal(16, positioned.TokenCount(-1));
        Assert.Equal(8, positioned.TokenWidth);
    }
}
