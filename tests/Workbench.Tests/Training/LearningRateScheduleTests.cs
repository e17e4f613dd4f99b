using Workbench.Training;

namespace Workbench.Tests.Training;

public sealed class LearningRateScheduleTests
{
    // Peak 1, 10 warm-up steps, 110 steps in all, floor 0.1: the cosine part spans steps 10..110, its middle is step 60.
    readonly LearningRateSchedule schedule = new(Peak: 1.0, WarmupSteps: 10, TotalSteps: 110, MinRatio: 0.1);

    [Fact]
    public void WarmUpRisesLinearlyFromZeroToThePeak()
    {
        Assert.Equal(0.0, schedule.At(0), 12);
        Assert.Equal(0.1, schedule.At(1), 12);
        Assert.Equal(0.5, schedule.At(5), 12);
        Assert.Equal(1.0, schedule.At(10), 12);
    }

    [Fact]
    public void CosineReachesTheMidpointHalfwayAndTheFloorOnTheLastStep()
    {
        Assert.Equal((1.0 + 0.1) / 2, schedule.At(60), 12);
        // A quarter of the way: floor + (peak - floor) * (1 + cos(pi/4)) / 2, worked by hand = 0.1 + 0.9 * 0.853553.
        Assert.Equal(0.1 + 0.9 * 0.8535533905932737, schedule.At(35), 12);
        Assert.Equal(0.1, schedule.At(110), 12);
        Assert.Equal(0.1, schedule.At(500), 12);
    }

    [Fact]
    public void DecayNeverRisesAfterWarmUp()
    {
        for (long s = 11; s <= 110; s++) Assert.True(schedule.At(s) <= schedule.At(s - 1));
    }

    [Fact]
    public void WithoutWarmUpTheFirstStepUsesThePeak()
    {
        var noWarmup = new LearningRateSchedule(2.0, 0, 100, 0.0);
        Assert.Equal(2.0, noWarmup.At(0), 12);
        Assert.True(noWarmup.At(1) is < 2.0 and > 1.99);
        Assert.Equal(0.0, noWarmup.At(100), 12);
    }
}
