using TorchSharp;
using Workbench.Data;
using Workbench.Models.Llava;
using Workbench.Runtime;
using Workbench.Training.Language;
using static TorchSharp.torch;

namespace Workbench.Training.Llava;

/// <summary>
/// LLaVA for the <see cref="Trainer"/>: the tower's features of the training images are computed once (or read from
/// the feature cache); each step draws its samples and their sequences from (seed, step), splices the projected
/// features in at the image token, and scores the answers (stage 2) or captions (stage 1).
/// </summary>
public sealed class LlavaTrainingTask : ITrainingTask, IDisposable
{
    readonly LlavaRun run;
    readonly FrozenFeatures features;

    /// <summary>Computes (or loads) the training features, then trains <paramref name="model"/>.</summary>
    public LlavaTrainingTask(LlavaRun run, LlavaModel model)
    {
        this.run = run;
        Llava = model;
        features = run.Features(model, run.Train, run.Train.Count);
    }

    /// <summary>The model being trained.</summary>
    public LlavaModel Llava { get; }

    /// <inheritdoc />
    public nn.Module Model => Llava;

    /// <inheritdoc />
    public int SamplesPerStep => run.Config.BatchSize;

    /// <inheritdoc />
    public Tensor Loss(long step, int microStep)
    {
        var random = new Random(StableHash.Combine(run.Config.Trainer.Seed, step, microStep, 0x11A));
        var indices = Enumerable.Range(0, run.Config.BatchSize).Select(_ => random.Next((int)features.Count)).ToList();
        var sequences = indices.Select(i => run.TrainingSequence(run.Train.Get(i), random, Llava.ImageTokens)).ToList();
        var (tokens, targets) = TokenSequence.Collate(sequences, run.Tokenizer.PadId, ComputeDevice.Current);
        return Llava.Loss(tokens, targets, features.Rows(indices, ComputeDevice.Current));
    }

    /// <summary>The language model (stage 2, when tuned) learns at <see cref="LlavaRunConfig.LanguageModelLearningRateScale"/> times the projector's rate.</summary>
    public double LearningRateScale(string parameterName) =>
        parameterName.StartsWith("language_model.", StringComparison.Ordinal) ? run.Config.LanguageModelLearningRateScale : 1.0;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double>? Evaluate() =>
        LlavaEvaluation.Evaluate(run, Llava, run.Validation, run.Config.ValidationSamples, prefix: "val_", full: false);

    /// <inheritdoc />
    public void Dispose() => features.Dispose();
}
