using TorchSharp;
using TorchSharp.Modules;

namespace Workbench.Training;

/// <summary>
/// The same step records as <c>log.jsonl</c>, as TensorBoard event files beside it, so <c>tensorboard --logdir runs/</c>
/// shows every run's curves (written by TorchSharp's <c>SummaryWriter</c>: TFRecord framing with CRC32C, one
/// <c>Event</c> per scalar). Tags: <c>train/loss</c>, <c>train/learning_rate</c>, <c>train/steps_per_second</c>,
/// <c>train/samples_per_second</c>, <c>train/&lt;metric&gt;</c> for the task's step metrics and <c>eval/&lt;metric&gt;</c> for
/// held-out ones. Each process writes its own file; a resumed run's steps continue in a new one.
/// </summary>
public sealed class TensorBoardLog
{
    readonly SummaryWriter writer;

    /// <summary>Starts an event file in <paramref name="folder"/>.</summary>
    public TensorBoardLog(string folder) => writer = torch.utils.tensorboard.SummaryWriter(folder);

    /// <summary>Writes the step's numbers (non-finite ones are left out: TensorBoard cannot draw them).</summary>
    public void Append(StepRecord record)
    {
        int step = checked((int)record.Step);
        Scalar("train/loss", record.Loss, step);
        Scalar("train/learning_rate", record.LearningRate, step);
        Scalar("train/steps_per_second", record.StepsPerSecond, step);
        if (record.SamplesPerSecond is { } samples) Scalar("train/samples_per_second", samples, step);
        foreach (var (name, value) in record.Metrics) Scalar($"train/{name}", value, step);
        foreach (var (name, value) in record.Evaluation ?? new Dictionary<string, double>()) Scalar($"eval/{name}", value, step);
    }

    void Scalar(string tag, double value, int step)
    {
        if (double.IsFinite(value)) writer.add_scalar(tag, (float)value, step);
    }
}
