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
}
