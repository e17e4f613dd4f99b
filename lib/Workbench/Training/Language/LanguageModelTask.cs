using TorchSharp;
using Workbench.Data;
using Workbench.Models.Language;
using Workbench.Runtime;
using static TorchSharp.torch;

namespace Workbench.Training.Language;

/// <summary>
/// Next-token prediction for the <see cref="Trainer"/>: each step's batch is a pure function of (seed, step), and each
/// sequence may start at a random position so that the positions longer multimodal sequences reach get trained.
/// </summary>
public sealed class LanguageModelTask(LanguageModelRun run, GptModel model) : ITrainingTask
{
    /// <summary>The model being trained.</summary>
    public GptModel Language { get; } = model;

    /// <inheritdoc />
    public nn.Module Model => Language;

    /// <inheritdoc />
    public int SamplesPerStep => run.Config.BatchSize;

    /// <inheritdoc />
    public Tensor Loss(long step, int microStep)
    {
        var sequences = Enumerable.Range(0, run.Config.BatchSize).Select(r => run.TrainingSequence(step, microStep, r)).ToList();
        var (inputs, targets) = TokenSequence.Collate(sequences, run.Tokenizer.PadId, ComputeDevice.Current);
        Tensor? positions = null;
        if (run.Config.RandomPositionOffsets)
        {
            long length = inputs.shape[1];
            var random = new Random(StableHash.Combine(run.Config.Trainer.Seed, step, microStep, 0x905));
            var offsets = Enumerable.Range(0, run.Config.BatchSize)
                .Select(_ => (long)random.Next((int)Math.Clamp(Language.Config.ContextLength - length + 1, 1, run.Config.MaxPositionOffset + 1))).ToArray();
            positions = tensor(offsets, device: inputs.device).unsqueeze(1) + arange(length, device: inputs.device).unsqueeze(0);
        }
        var logits = Language.Logits(Language.Embed(inputs), positions);
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1), ignore_index: TokenSequence.IgnoreIndex);
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double>? Evaluate() =>
        LanguageModelEvaluation.Evaluate(run, Language, run.Validation, run.Config.ValidationSamples, prefix: "val_");
}
