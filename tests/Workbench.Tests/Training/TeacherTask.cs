using TorchSharp;
using Workbench.Training;
using static TorchSharp.torch;

namespace Workbench.Tests.Training;

/// <summary>
/// A tiny training task for the trainer's tests: 8-dimensional Gaussian inputs labelled by which of 3 directions of
/// a random "teacher" matrix they point most along (chance accuracy 1/3), learned by a 2-layer MLP. Every batch is
/// drawn from a <see cref="Random"/> seeded by (seed, step), the contract <see cref="ITrainingTask"/> asks for.
/// </summary>
sealed class TeacherTask : ITrainingTask
{
    public const int Inputs = 8, Classes = 3;
    readonly long seed;
    readonly int batchSize;
    readonly int microBatches;
    readonly long nanAtStep;
    readonly float[] teacher;
    readonly (Tensor X, Tensor Y) heldOut;

    public TeacherTask(long seed, int batchSize = 64, int microBatches = 1, int hidden = 32, double dropout = 0.1, long nanAtStep = -1)
    {
        this.seed = seed;
        this.batchSize = batchSize;
        this.microBatches = microBatches;
        this.nanAtStep = nanAtStep;
        var random = new Random(unchecked((int)seed) ^ 0x5eed);
        teacher = Enumerable.Range(0, Inputs * Classes).Select(_ => Gaussian(random)).ToArray();
        heldOut = Draw(new Random(unchecked((int)seed) ^ 0x7e57), 512);
        heldOut.X.DetachFromDisposeScope();
        heldOut.Y.DetachFromDisposeScope();
        Model = nn.Sequential(
            ("layer1", nn.Linear(Inputs, hidden)),
            ("relu", nn.ReLU()),
            ("dropout", nn.Dropout(dropout)),
            ("layer2", nn.Linear(hidden, Classes)));
    }

    public nn.Module<Tensor, Tensor> Model { get; }

    nn.Module ITrainingTask.Model => Model;

    public int SamplesPerStep => batchSize;

    /// <summary>The whole batch of a step; micro-batch m is its m-th slice of rows.</summary>
    public (Tensor X, Tensor Y) Batch(long step) => Draw(new Random(unchecked((int)(seed * 1_000_003 + step * 7_919))), batchSize);

    public Tensor Loss(long step, int microStep)
    {
        var (x, y) = Batch(step);
        int rows = batchSize / microBatches;
        x = x.narrow(0, microStep * rows, rows);
        y = y.narrow(0, microStep * rows, rows);
        var loss = nn.functional.cross_entropy(Workbench.Models.MixedPrecision.Forward(Model, x), y);   // at the trainer's precision
        return step == nanAtStep ? loss * double.NaN : loss;
    }

    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var predicted = Model.forward(heldOut.X).argmax(1);
        return new Dictionary<string, double> { ["accuracy"] = predicted.eq(heldOut.Y).to(ScalarType.Float64).mean().ToDouble() };
    }

    (Tensor X, Tensor Y) Draw(Random random, int count)
    {
        var x = new float[count * Inputs];
        for (int i = 0; i < x.Length; i++) x[i] = Gaussian(random);
        var labels = new long[count];
        for (int n = 0; n < count; n++)
        {
            double best = double.NegativeInfinity;
            for (int c = 0; c < Classes; c++)
            {
                double score = 0;
                for (int j = 0; j < Inputs; j++) score += x[n * Inputs + j] * teacher[j * Classes + c];
                if (score > best) (best, labels[n]) = (score, c);
            }
        }
        return (torch.tensor(x, [count, Inputs]), torch.tensor(labels, [count]));
    }

    static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
