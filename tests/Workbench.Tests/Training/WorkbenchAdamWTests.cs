using TorchSharp;
using TorchSharp.Modules;
using Workbench.Training;
using static TorchSharp.torch;

namespace Workbench.Tests.Training;

/// <summary>The trainer's AdamW: TorchSharp's update and state format, without Scalars made on the fly.</summary>
public sealed class WorkbenchAdamWTests
{
    static Tensor Values(int seed, params long[] shape)
    {
        var random = new Random(seed);
        int count = (int)shape.Aggregate(1L, (a, b) => a * b);
        return torch.tensor(Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).reshape(shape);
    }

    /// <summary>Two groups as the trainer builds them: decayed at one rate, not decayed at another.</summary>
    static (Parameter[] Parameters, AdamW.ParamGroup[] Groups) Setup()
    {
        var parameters = new[] { new Parameter(Values(1, 3, 4)), new Parameter(Values(2, 4)), new Parameter(Values(3, 2, 2)) };
        var groups = new[]
        {
            new AdamW.ParamGroup(parameters[..2], 3e-2, 0.9, 0.95, 1e-6, 0.1),
            new AdamW.ParamGroup(parameters[2..], 1e-2, 0.9, 0.95, 1e-6, 0.0),
        };
        return (parameters, groups);
    }

    static void SetGradients(Parameter[] parameters, int step)
    {
        for (int i = 0; i < parameters.Length; i++)
            parameters[i].grad = Values(100 * step + i, parameters[i].shape);
    }

    [Fact]
    public void FiveStepsMatchTorchSharpsAdamWOnTwoGroupsWithOwnRatesAndDecay()
    {
        var (ours, ourGroups) = Setup();
        var (theirs, theirGroups) = Setup();
        using var held = new Workbench.Training.Optimizers.AdamW(ourGroups, 3e-2, 0.9, 0.95, 1e-6);
        using var reference = torch.optim.AdamW(theirGroups, 3e-2, 0.9, 0.95, 1e-6);
        for (int step = 1; step <= 5; step++)
        {
            SetGradients(ours, step);
            SetGradients(theirs, step);
            if (step == 3) { held.ParamGroups.First().LearningRate = 1e-2; reference.ParamGroups.First().LearningRate = 1e-2; }   // the schedule moves it
            held.step();
            reference.step();
        }
        for (int i = 0; i < ours.Length; i++)
        {
            Assert.False(ours[i].allclose(Setup().Parameters[i]));   // it moved
            Assert.True(ours[i].allclose(theirs[i], rtol: 1e-6, atol: 1e-7), $"parameter {i}: {ours[i].sub(theirs[i]).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void OneStepOnOneNumberIsTheFormulaWorkedByHand()
    {
        // p = 0.5, g = 0.2, lr = 0.1, wd = 0.1, β = (0.9, 0.95), ε = 1e-6, first step:
        // p·(1 − lr·wd) = 0.495; m = 0.1·0.2 = 0.02; v = 0.05·0.04 = 0.002;
        // p − lr/(1 − 0.9) · m / (√v/√(1 − 0.95) + ε) = 0.495 − 1 · 0.02 / (0.2 + 1e-6) = 0.395000495...
        var p = new Parameter(torch.tensor(new[] { 0.5f }));
        using var optimizer = new Workbench.Training.Optimizers.AdamW([new AdamW.ParamGroup([p], 0.1, 0.9, 0.95, 1e-6, 0.1)], 0.1, 0.9, 0.95, 1e-6);
        p.grad = torch.tensor(new[] { 0.2f });
        optimizer.step();
        Assert.Equal(0.495 - 0.02 / (0.2 + 1e-6), p.item<float>(), 6);
    }

    [Fact]
    public void ItsStateFileLoadsIntoTorchSharpsAdamWAndBack()
    {
        using var temp = new TempFolder();
        var (ours, ourGroups) = Setup();
        using var held = new Workbench.Training.Optimizers.AdamW(ourGroups, 3e-2, 0.9, 0.95, 1e-6);
        SetGradients(ours, 1);
        held.step();
        string file = Path.Combine(temp.Path, "optimizer.bin");
        held.save_state_dict(file);

        var (theirs, theirGroups) = Setup();
        using var reference = torch.optim.AdamW(theirGroups, 3e-2, 0.9, 0.95, 1e-6);
        reference.load_state_dict(file);
        var moments = reference.state_dict().State.Cast<AdamW.State>().ToList();
        var ourMoments = held.state_dict().State.Cast<AdamW.State>().ToList();
        Assert.Equal(ourMoments.Count, moments.Count);
        for (int i = 0; i < moments.Count; i++)
        {
            Assert.Equal(1, moments[i].step);
            Assert.True(moments[i].exp_avg.allclose(ourMoments[i].exp_avg, rtol: 0, atol: 0));
            Assert.True(moments[i].exp_avg_sq.allclose(ourMoments[i].exp_avg_sq, rtol: 0, atol: 0));
        }

        // And back: TorchSharp's file (as every checkpoint before this class wrote it) loads into the workbench's AdamW.
        string back = Path.Combine(temp.Path, "back.bin");
        reference.save_state_dict(back);
        var (again, againGroups) = Setup();
        using var reloaded = new Workbench.Training.Optimizers.AdamW(againGroups, 3e-2, 0.9, 0.95, 1e-6);
        reloaded.load_state_dict(back);
        Assert.All(reloaded.state_dict().State.Cast<AdamW.State>(), s => Assert.Equal(1, s.step));
    }
}
