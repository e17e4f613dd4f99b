using TorchSharp;
using Workbench.Data;
using Workbench.Data.Loading;
using Workbench.Models.Clip;
using Workbench.Runtime;
using static TorchSharp.torch;

namespace Workbench.Training.Clip;

/// <summary>
/// CLIP for the <see cref="Trainer"/>: each step draws batch <c>step - 1</c> of a seeded loader (so a resumed run sees
/// the same batches), scores it with the contrastive loss, clamps the temperature after each update, and reports
/// held-out retrieval on validation pairs.
/// </summary>
public sealed class ClipTrainingTask : ITrainingTask, IDisposable
{
    readonly ClipRun run;
    readonly DataLoader<ImageTextBatch> loader;
    IEnumerator<ImageTextBatch>? stream;
    long nextBatch = -1;

    /// <summary>Trains <paramref name="model"/> (built after seeding) on a loader over the run's training split.</summary>
    public ClipTrainingTask(ClipRun run, ClipModel model)
    {
        this.run = run;
        Clip = model;
        if (!run.Config.LearnTemperature) Clip.LogitScale.requires_grad = false;
        loader = new DataLoader<ImageTextBatch>(run.Train, new LoaderOptions(run.Config.BatchSize, Seed: run.Config.Seed),
            ImageTextBatch.Collator(run.Tokenizer, run.Config.ContextLength, ClipRun.Normalization, run.Config.Seed,
                hardNegatives: run.Config.HardNegatives ? run.SceneLanguage : null));
    }

    /// <summary>The model being trained.</summary>
    public ClipModel Clip { get; }

    /// <inheritdoc />
    public nn.Module Model => Clip;

    /// <inheritdoc />
    public int SamplesPerStep => run.Config.BatchSize;

    /// <inheritdoc />
    public Tensor Loss(long step, int microStep)
    {
        long batch = step - 1;
        if (stream is null || batch != nextBatch)
        {
            stream?.Dispose();
            stream = loader.Stream(batch).GetEnumerator();
        }
        stream.MoveNext();
        nextBatch = batch + 1;
        var (images, tokens, groups) = stream.Current.ToDevice(ComputeDevice.Current);
        return Clip.Loss(images, tokens, run.Config.GroupIdenticalCaptions ? groups : null, stream.Current.NegativesToDevice(ComputeDevice.Current));
    }

    /// <inheritdoc />
    public void AfterOptimizerStep() => Clip.ClampLogitScale();

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor>? StepMetrics(long step)
    {
        using var noGrad = no_grad();
        var scale = Clip.LogitScale.exp();
        return new Dictionary<string, Tensor> { ["temperature"] = scale.reciprocal(), ["logit_scale"] = scale };
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double>? Evaluate() => ClipEvaluation.Validation(run, Clip);

    /// <inheritdoc />
    public void Dispose() => stream?.Dispose();
}
