using Workbench.Runtime;

namespace Workbench.Tests.Runtime;

public sealed class TrainingFlopsTests
{
    [Fact]
    public void OneBlockCountsEveryMatrixProductByHand()
    {
        // B = 2, T = 3, W = 4, MLP 16 wide. q,k,v: 3 products of (6 x 4)(4 x 4) = 3·2·6·4·4 = 576; output 192;
        // MLP up and down 2·(2·6·4·16) = 1536; scores per sequence (3 x 4)(4 x 3) = 2·3·3·4 = 72, two sequences 144,
        // weighted values the same 144. Total 576 + 192 + 1536 + 288 = 2592.
        Assert.Equal(2592, TrainingFlops.Transformer(batch: 2, tokens: 3, width: 4, layers: 1));
        Assert.Equal(3 * 2592, TrainingFlops.Transformer(2, 3, 4, layers: 3));
    }

    [Fact]
    public void TheReferenceClipStepIsAbout63Gflop()
    {
        // ../shared/PLATFORM.md measured the reference configuration (batch 128, 32x32, patch 4, width 128, 4+4 layers,
        // text context 32) at "about 63 GFLOP a step" with PyTorch's counter; this count must land near it.
        double step = TrainingFlops.TrainingStep(TrainingFlops.ClipForward(128, 32, 4, 3, 128, 4, 32, 128, 4, 128));
        Assert.InRange(step / 1e9, 55, 70);
    }

    [Fact]
    public void TheConvolutionalTowerCountsEveryMultiplyAddByHand()
    {
        // One 8x8 RGB image, base width 4, two blocks of one 3x3 convolution. Block 1 at 8x8: 64 outputs x 4 channels x
        // 27 inputs = 6,912 multiply-adds; block 2 at 4x4: 16 x 8 x 36 = 4,608; the flattening layer reads 8 channels x
        // 2x2 into 16 features: 32 x 16 = 512. Total 12,032 multiply-adds, 24,064 FLOPs; two images twice that.
        Assert.Equal(24_064, TrainingFlops.ConvEncoderForward(batch: 1, imageSize: 8, channels: 3, baseWidth: 4, blocks: 2, convsPerBlock: 1, flattenWidth: 16));
        Assert.Equal(2 * 24_064, TrainingFlops.ConvEncoderForward(2, 8, 3, 4, 2, 1, 16));
        // A second convolution in a block reads the block's own width: block 1 adds 64 x 4 x 36, block 2 16 x 8 x 72.
        Assert.Equal(24_064 + 2 * (64 * 4 * 36 + 16 * 8 * 72), TrainingFlops.ConvEncoderForward(1, 8, 3, 4, 2, convsPerBlock: 2, flattenWidth: 16));
        // Without the flattening layer (global pooling) only the convolutions count.
        Assert.Equal(24_064 - 1024, TrainingFlops.ConvEncoderForward(1, 8, 3, 4, 2, 1, flattenWidth: null));
    }

    [Fact]
    public void TheResamplerAndAGatedBlockCountEveryMatrixProductByHand()
    {
        // One image of P = 2 patches into L = 1 latent of width 2, one layer. The latent's query (1x2)(2x2): 8. Keys and
        // values over [2 patches; 1 latent], (3x2)(2x2) twice: 48. Output 8. Scores (1x2)(2x3): 12, weighted values
        // (1x3)(3x2): 12. Feed-forward (1x2)(2x8) and (1x8)(8x2): 64. Total 152; a tower 3 wide adds its projection,
        // (2x3)(3x2) = 24.
        Assert.Equal(152, TrainingFlops.PerceiverForward(images: 1, patches: 2, latents: 1, width: 2, depth: 1, inputWidth: 2));
        Assert.Equal(2 * 152 + 24, TrainingFlops.PerceiverForward(images: 1, patches: 2, latents: 1, width: 2, depth: 2, inputWidth: 3));
        // T = 2 text positions of width 2 reading M = 3 visual tokens: queries (2x2)(2x2) 16, keys and values (3x2)(2x2)
        // twice 48, output 16, scores (2x2)(2x3) 24 and weighted values (2x3)(3x2) 24, feed-forward 2·(2·2·2·8) = 128.
        Assert.Equal(256, TrainingFlops.GatedCrossAttentionForward(batch: 1, tokens: 2, mediaTokens: 3, width: 2));
    }

    [Fact]
    public void TrainedPartsCountThreeForwardPassesAndAFrozenLanguageModelTwo()
    {
        double lm = TrainingFlops.LanguageModelForward(batch: 2, tokens: 5, width: 4, layers: 1, vocabulary: 7);
        double linear = TrainingFlops.Linear(2 * 3, 6, 4), second = TrainingFlops.Linear(2 * 3, 4, 4);
        Assert.Equal(3 * (linear + lm), TrainingFlops.LlavaStageTwoStep(2, imageTokens: 3, featureWidth: 6, mlpProjector: false, tokens: 5, width: 4, layers: 1, vocabulary: 7));
        Assert.Equal(3 * (linear + second + lm), TrainingFlops.LlavaStageTwoStep(2, 3, 6, mlpProjector: true, 5, 4, 1, 7));

        double perceiver = TrainingFlops.PerceiverForward(images: 2 * 3, patches: 4, latents: 2, width: 4, depth: 1, inputWidth: 6);
        double gated = TrainingFlops.GatedCrossAttentionForward(batch: 2, tokens: 5, mediaTokens: 3 * 2, width: 4);
        Assert.Equal(3 * (perceiver + 2 * gated) + 2 * lm,
            TrainingFlops.FlamingoStep(batch: 2, imagesPerDocument: 3, patches: 4, featureWidth: 6, latents: 2, depth: 1, gatedBlocks: 2, tokens: 5, width: 4, layers: 1, vocabulary: 7));
    }
}
