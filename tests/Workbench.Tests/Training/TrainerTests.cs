using System.Text.Json;
using TorchSharp;
using Workbench.Training;
using static TorchSharp.torch;

namespace Workbench.Tests.Training;

[Collection(GlobalRandomState.Name)]
public sealed class TrainerTests : IDisposable
{
    readonly string outputDir = Path.Combine(Path.GetTempPath(), $"workbench-trainer-{Guid.NewGuid():N}");

    public TrainerTests()
    {
        // These models are tiny: intra-op threads only add OpenMP barriers, and on a busy 2-core machine those made a
        // 150-step run take 20-30 s instead of 0.3 s. One thread is also what a bit-exact comparison wants.
        torch.set_num_threads(1);
    }

    public void Dispose()
    {
        if (Directory.Exists(outputDir)) Directory.Delete(outputDir, recursive: true);
    }

    static readonly TrainerConfig Small = new()
    {
        Steps = 20,
        LearningRate = 1e-2,
        WarmupSteps = 5,
        WeightDecay = 0.1,
        EvalEvery = 0,
        CheckpointEvery = 0,
        Seed = 7,
    };

    static float[] Flatten(nn.Module model) =>
        model.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    static double GradientNorm(nn.Module model) =>
        Math.Sqrt(model.parameters().Where(p => p.grad is not null).Sum(p => p.grad!.pow(2).sum().ToDouble()));

    [Fact]
    public void ShortTrainingLowersTheLossAndBeatsChanceOnHeldOutData()
    {
        var config = Small with { Steps = 150, WarmupSteps = 10, EvalEvery = 50 };
        using var trainer = new Trainer(config, () => new TeacherTask(seed: 3));
        var evaluations = new List<EvaluationRecord>();
        int stepsSeen = 0;
        trainer.StepEnded += _ => stepsSeen++;
        trainer.EvalEnded += evaluations.Add;

        var history = trainer.Run();

        Assert.Equal(150, stepsSeen);
        Assert.Equal([50L, 100L, 150L], evaluations.Select(e => e.Step));
        double firstLosses = history.Take(10).Average(r => r.Loss), lastLosses = history.Skip(140).Average(r => r.Loss);
        Assert.True(lastLosses < 0.5 * firstLosses, $"loss {firstLosses:F3} -> {lastLosses:F3}");
        double accuracy = evaluations[^1].Metrics["accuracy"];
        Assert.True(accuracy > 0.8, $"held-out accuracy {accuracy:F3} (chance 0.333)");
        Assert.Equal(accuracy, history.Evaluations("accuracy")[^1].Value);
        Assert.All(history, r => Assert.True(r.SamplesPerSecond > 0 && r.Metrics.ContainsKey("grad_norm")));
    }

    [Fact]
    public void ResumedRunRepeatsTheUninterruptedLossesExactly()
    {
        // Dropout, evaluation, clipping and accumulation all in play: the resumed run must restore the random state,
        // the Adam moments and the step to match.
        var config = Small with { Steps = 20, CheckpointEvery = 10, EvalEvery = 5, AccumulationSteps = 2, GradientClipNorm = 0.5, OutputDir = outputDir };
        Func<ITrainingTask> task = () => new TeacherTask(seed: 11, dropout: 0.3, microBatches: 2);

        IReadOnlyList<StepRecord> uninterrupted;
        float[] finalParameters;
        using (var first = new Trainer(config, task))
        {
            uninterrupted = first.Run().Snapshot();
            finalParameters = Flatten(first.TrainingTask.Model);
        }
        Assert.Equal([10L, 20L], Checkpoint.List(outputDir).Select(c => c.Step));

        using var resumed = new Trainer(config, task);
        var manifest = resumed.Resume(Checkpoint.FolderFor(outputDir, 10));
        Assert.Equal(10, manifest.Step);
        Assert.Equal(10, resumed.Step);
        var history = resumed.Run();

        var expected = uninterrupted.Where(r => r.Step > 10).Select(r => (r.Step, r.Loss)).ToList();
        var actual = history.Where(r => r.Step > 10).Select(r => (r.Step, r.Loss)).ToList();
        Assert.Equal(10, expected.Select(e => e.Loss).Distinct().Count());
        Assert.Equal(expected, actual);
        Assert.Equal(finalParameters, Flatten(resumed.TrainingTask.Model));

        var logSteps = File.ReadAllLines(Path.Combine(outputDir, MetricsLog.FileName))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), logSteps);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), history.Select(r => r.Step));
    }

    [Fact]
    public void NonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint()
    {
        var config = Small with { CheckpointEvery = 5, OutputDir = outputDir };
        float[]? atStep5 = null;
        using (var trainer = new Trainer(config, () => new TeacherTask(seed: 5, nanAtStep: 7)))
        {
            trainer.StepEnded += r => { if (r.Step == 5) atStep5 = Flatten(trainer.TrainingTask.Model); };
            var error = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
            Assert.Equal(7, error.Step);
            Assert.True(double.IsNaN(error.Loss));
            Assert.Contains("at step 7", error.Message);
            Assert.Equal(7, trainer.Step);   // the step ran (its loss is read on the logging step after it), and was not saved
        }
        Assert.Equal([5L], Checkpoint.List(outputDir).Select(c => c.Step));
        Assert.Equal(6, MetricsLog.Read(Path.Combine(outputDir, MetricsLog.FileName)).Max(r => r.Step));

        using var fresh = new Trainer(config, () => new TeacherTask(seed: 99));
        var manifest = fresh.Resume();
        Assert.Equal(5, manifest.Step);
        Assert.Equal(5, fresh.Step);
        Assert.Equal(atStep5, Flatten(fresh.TrainingTask.Model));
    }

    [Fact]
    public void AccumulatingTwoHalfBatchesEqualsOneFullBatch()
    {
        var config = Small with { Steps = 1, WarmupSteps = 0, MinLearningRateRatio = 1, GradientClipNorm = null };
        using var full = new Trainer(config, () => new TeacherTask(seed: 2, batchSize: 32, dropout: 0));
        using var halves = new Trainer(config with { AccumulationSteps = 2 }, () => new TeacherTask(seed: 2, batchSize: 32, microBatches: 2, dropout: 0));
        Assert.Equal(Flatten(full.TrainingTask.Model), Flatten(halves.TrainingTask.Model));

        double fullLoss = full.Run()[0].Loss, halvesLoss = halves.Run()[0].Loss;

        Assert.Equal(fullLoss, halvesLoss, 1e-6);
        // Adam's first update is nearly lr * sign(gradient), blind to the gradient's scale, so the gradients
        // themselves are compared too: they are what dividing each micro loss by the count gets right.
        var fullGrads = full.TrainingTask.Model.parameters().Select(p => p.grad!.data<float>().ToArray()).ToList();
        var halvesGrads = halves.TrainingTask.Model.parameters().Select(p => p.grad!.data<float>().ToArray()).ToList();
        for (int i = 0; i < fullGrads.Count; i++)
            Assert.All(fullGrads[i].Zip(halvesGrads[i]), g => Assert.Equal(g.First, g.Second, 1e-5f));
        Assert.All(Flatten(full.TrainingTask.Model).Zip(Flatten(halves.TrainingTask.Model)), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    [Fact]
    public void ClippingBoundsTheGradientNorm()
    {
        const double maxNorm = 0.01;
        using var trainer = new Trainer(Small with { Steps = 1, GradientClipNorm = maxNorm }, () => new TeacherTask(seed: 4));
        var record = trainer.Run()[0];
        double before = record.Metrics["grad_norm"], after = GradientNorm(trainer.TrainingTask.Model);
        Assert.True(before > 10 * maxNorm, $"the unclipped norm {before} should exceed the limit for the test to mean anything");
        Assert.InRange(after, 0.999 * maxNorm, maxNorm + 1e-6);
    }

    [Fact]
    public void CheckpointOfAnotherModelNamesTheFileAndTheFirstMismatch()
    {
        var config = Small with { Steps = 2, CheckpointEvery = 2, OutputDir = outputDir };
        using (var small = new Trainer(config, () => new TeacherTask(seed: 1, hidden: 16)))
            small.Run();

        using var large = new Trainer(config, () => new TeacherTask(seed: 1, hidden: 32));
        var before = Flatten(large.TrainingTask.Model);
        var error = Assert.Throws<CheckpointMismatchException>(() => large.Resume());
        string modelFile = Path.Combine(Checkpoint.FolderFor(outputDir, 2), Checkpoint.ModelFile);
        Assert.Equal(modelFile, error.File);
        Assert.Equal("layer1.weight", error.Parameter);
        Assert.StartsWith(modelFile, error.Message);
        Assert.Contains("[16, 8]", error.Message);
        Assert.Contains("[32, 8]", error.Message);
        Assert.Equal(before, Flatten(large.TrainingTask.Model));
    }

    [Fact]
    public void LiveTensorCountStaysFlatOverSteps()
    {
        using var trainer = new Trainer(Small with { Steps = 300, EvalEvery = 50 }, () => new TeacherTask(seed: 6));
        var live = new Dictionary<long, long>();
        trainer.StepEnded += r => live[r.Step] = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        trainer.Run();
        Assert.Equal(live[10], live[299]);
    }

    [Fact]
    public void FreshRunRefusesAFolderWithCheckpoints()
    {
        var config = Small with { Steps = 2, OutputDir = outputDir };
        using (var first = new Trainer(config, () => new TeacherTask(seed: 1))) first.Run();
        using var second = new Trainer(config, () => new TeacherTask(seed: 1));
        var error = Assert.Throws<InvalidOperationException>(() => second.Run());
        Assert.Contains("Resume()", error.Message);
    }

    [Fact]
    public void CancellationCheckpointsTheLastStepAndTheRunCanFinishLater()
    {
        var config = Small with { Steps = 10, OutputDir = outputDir };
        using var cancel = new CancellationTokenSource();
        using (var trainer = new Trainer(config, () => new TeacherTask(seed: 8)))
        {
            trainer.StepEnded += r => { if (r.Step == 4) cancel.Cancel(); };
            trainer.Run(cancel.Token);
            Assert.False(trainer.IsComplete);
            Assert.Equal(4, trainer.Step);
        }
        Assert.Equal([4L], Checkpoint.List(outputDir).Select(c => c.Step));
        using var again = new Trainer(config, () => new TeacherTask(seed: 8));
        again.Resume();
        Assert.Equal(10, again.Run().Count);
        Assert.True(again.IsComplete);
    }

    [Fact]
    public void LoggingEveryFourStepsReadsOncePerIntervalAndLogsTheIntervalsMeanLoss()
    {
        var config = Small with { Steps = 10, GradientClipNorm = 1.0 };
        // One after the other: TorchSharp's generator is process-wide, and each trainer seeds it when built.
        using var everyStep = new Trainer(config, () => new TeacherTask(seed: 3));
        var all = everyStep.Run();
        var trained = Flatten(everyStep.TrainingTask.Model);
        using var everyFourth = new Trainer(config with { LogEvery = 4 }, () => new TeacherTask(seed: 3));
        var logged = everyFourth.Run();

        Assert.Equal(10, everyStep.HostReadbacks);
        Assert.Equal(3, everyFourth.HostReadbacks);                      // steps 4, 8 and the last, 10
        Assert.Equal([4L, 8L, 10L], logged.Select(r => r.Step));
        // The same trajectory, whatever is read back when: each logged loss is the mean of its interval's step losses.
        Assert.Equal(all.Take(4).Average(r => r.Loss), logged[0].Loss, 1e-6);
        Assert.Equal(all.Skip(4).Take(4).Average(r => r.Loss), logged[1].Loss, 1e-6);
        Assert.Equal(all.Skip(8).Average(r => r.Loss), logged[2].Loss, 1e-6);
        Assert.Equal(all[^1].Metrics["grad_norm"], logged[2].Metrics["grad_norm"], 1e-5);
        Assert.Equal(trained, Flatten(everyFourth.TrainingTask.Model));
    }

    [Fact]
    public void ADivergenceBetweenLoggingStepsIsReportedWithItsInterval()
    {
        using var trainer = new Trainer(Small with { LogEvery = 4 }, () => new TeacherTask(seed: 5, nanAtStep: 7));
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Equal(8, error.Step);
        Assert.Equal(5, error.FirstStep);
        Assert.Contains("between step 5 and step 8", error.Message);
        Assert.Equal([4L], trainer.History.Select(r => r.Step));
    }

    [Fact]
    public void ClippingOnTheDeviceMatchesTorchSharpsClipGradNorm()
    {
        foreach (double maxNorm in new[] { 1e-3, 0.5, 1e6 })   // clipped hard, clipped a little, not clipped
        {
            using var scope = NewDisposeScope();
            manual_seed(11);
            var model = nn.Sequential(("a", nn.Linear(6, 5)), ("b", nn.Linear(5, 3)));
            var copy = nn.Sequential(("a", nn.Linear(6, 5)), ("b", nn.Linear(5, 3)));
            copy.load_state_dict(model.state_dict());
            var x = randn(8, 6);
            model.forward(x).pow(2).sum().backward();
            copy.forward(x).pow(2).sum().backward();

            var parameters = model.parameters().ToList();
            double norm = Trainer.ClipGradients(parameters, maxNorm).ToDouble();
            double reference = nn.utils.clip_grad_norm_(copy.parameters(), maxNorm);

            Assert.Equal(reference, norm, reference * 1e-6);
            foreach (var (mine, theirs) in parameters.Zip(copy.parameters()))
                Assert.Equal(theirs.grad!.data<float>().ToArray(), mine.grad!.data<float>().ToArray(), (a, b) => Math.Abs(a - b) <= 1e-6f * Math.Max(1, Math.Abs(b)));
        }
    }
}
