using TorchSharp;
using Workbench.Models.Flamingo;
using Workbench.Runtime;
using static TorchSharp.torch;

namespace Workbench.Training.Flamingo;

/// <summary>
/// Flamingo for the <see cref="Trainer"/>: the tower's features of the training scenes are computed once (or read from
/// the feature cache); micro-batch (step, m) reads documents (step − 1)·A·B + m·B ... of the run's document sequence, so
/// a resumed run sees the same documents. Only answers and captions carry loss. The gates learn at their own rate, and
/// every step logs each gate's tanh(α).
/// </summary>
public sealed class FlamingoTrainingTask : ITrainingTask, IDisposable
{
    readonly FlamingoRun run;
    readonly FrozenFeatures features;

    /// <summary>Computes (or loads) the training features, then trains <paramref name="model"/>.</summary>
    public FlamingoTrainingTask(FlamingoRun run, FlamingoModel model)
    {
        this.run = run;
        Flamingo = model;
        features = run.Features(model, run.Train, run.Train.Count);
    }

    /// <summary>The model being trained.</summary>
    public FlamingoModel Flamingo { get; }

    /// <inheritdoc />
    public nn.Module Model => Flamingo;

    /// <inheritdoc />
    public int SamplesPerStep => run.Config.BatchSize * run.Config.Trainer.AccumulationSteps;

    /// <inheritdoc />
    public Tensor Loss(long step, int microStep)
    {
        int batch = run.Config.BatchSize;
        long first = ((step - 1) * run.Config.Trainer.AccumulationSteps + microStep) * batch;
        var documents = Enumerable.Range(0, batch).Select(r => run.TrainingDocument(first + r)).ToList();
        var (ids, targets, media) = FlamingoBatch.Training(documents.Select(d => run.Tokenize(d.Document)).ToList(),
            documents.Select(d => d.Images).ToList(), features, run.Tokenizer.PadId, run.Config.Language.ContextLength, ComputeDevice.Current);
        return Flamingo.Loss(ids, targets, media);
    }

    /// <summary>
    /// The gates (their α) learn at <see cref="FlamingoRunConfig.GateLearningRateScale"/> times the rest's rate, and the
    /// language model, when the ablation tunes it, at <see cref="FlamingoRunConfig.LanguageModelLearningRateScale"/> times.
    /// </summary>
    public double LearningRateScale(string parameterName) =>
        parameterName.EndsWith("_gate", StringComparison.Ordinal) ? run.Config.GateLearningRateScale
        : parameterName.StartsWith("language_model.", StringComparison.Ordinal) ? run.Config.LanguageModelLearningRateScale ?? 1.0
        : 1.0;

    /// <summary>Each gated block's tanh(α): <c>gate_attn_N</c> and <c>gate_ff_N</c> for the block before language-model block N.</summary>
    public IReadOnlyDictionary<string, Tensor>? StepMetrics(long step)
    {
        var gates = new Dictionary<string, Tensor>();
        foreach (var (block, layer) in Flamingo.CrossAttentionLayers)
        {
            var (attention, feedForward) = layer.GateTensors();
            gates[$"gate_attn_{block}"] = attention;
            gates[$"gate_ff_{block}"] = feedForward;
        }
        return gates;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double>? Evaluate() =>
        FlamingoEvaluation.Evaluate(run, Flamingo, run.Validation, run.Config.ValidationSamples, prefix: "val_", full: false);

    /// <inheritdoc />
    public void Dispose() => features.Dispose();
}
