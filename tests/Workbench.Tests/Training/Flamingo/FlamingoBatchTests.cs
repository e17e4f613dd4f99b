using Workbench.Training.Flamingo;
using static TorchSharp.torch;

namespace Workbench.Tests.Training.Flamingo;

public sealed class FlamingoBatchTests
{
    [Fact]
    public void RowsWithFewerImagesArePaddedWithZerosAfterTheirOwn()
    {
        using var scope = NewDisposeScope();
        var two = randn(2, 3, 4);
        var one = randn(1, 3, 4);
        var stacked = FlamingoBatch.Stack([one, two]);
        Assert.Equal([2L, 2, 3, 4], stacked.shape);
        Assert.True(stacked[0, 0].equal(one[0]).all().item<bool>());
        Assert.Equal(0f, stacked[0, 1].abs().sum().item<float>());
        Assert.True(stacked[1].equal(two).all().item<bool>());
    }
}
