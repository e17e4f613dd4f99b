using Workbench.Training.Runs;

namespace Workbench.Training.Language;

/// <summary>
/// A language-model run: the size of the <see cref="Models.Language.GptModel"/>, the text it learns from, and the
/// trainer. <see cref="For"/> gives the tuned presets; vary them with <c>with</c>.
/// </summary>
public sealed record LanguageModelRunConfig : IMethodConfig
{
    /// <inheritdoc />
    public string Method => "lm";
    /// <inheritdoc />
    public string Data { get; init; } = "shapes";
    /// <inheritdoc />
    public string Preset { get; init; } = "quick";
    /// <inheritdoc />
    public TrainerConfig Trainer { get; init; } = new();

    /// <summary>Token width.</summary>
    public int Width { get; init; } = 128;
    /// <summary>Transformer blocks.</summary>
    public int Layers { get; init; } = 4;
    /// <summary>Attention heads per block.</summary>
    public int Heads { get; init; } = 4;
    /// <summary>Learned positions: room for the longest multimodal sequence (image tokens plus a conversation).</summary>
    public int ContextLength { get; init; } = 128;

    /// <summary>Sequences per optimizer step.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Most question-answer turns after the caption in one sequence.</summary>
    public int TurnsPerSequence { get; init; } = 4;
    /// <summary>Fraction of sequences that ask for a caption (another paraphrase) instead of questions.</summary>
    public double CaptionRequestFraction { get; init; } = 0.25;
    /// <summary>Start each training sequence at a random position, so positions that longer sequences reach are trained too.</summary>
    public bool RandomPositionOffsets { get; init; } = true;

    /// <summary>Training samples whose captions, questions and answers build the vocabulary.</summary>
    public int VocabularySamples { get; init; } = 5000;
    /// <summary>Held-out scenes for the test figures.</summary>
    public int TestSamples { get; init; } = 500;
    /// <summary>Validation scenes scored during training.</summary>
    public int ValidationSamples { get; init; } = 200;

    /// <summary>The tuned preset ("quick": minutes on a laptop CPU; "full": longer and wider).</summary>
    public static LanguageModelRunConfig For(string data, string preset, int seed = 0)
    {
        bool full = Presets.IsFull(preset);
        var trainer = new TrainerConfig
        {
            Seed = seed, Steps = full ? 3000 : 800, LearningRate = 2e-3, WarmupSteps = full ? 100 : 50, WeightDecay = 0.1,
            EvalEvery = full ? 500 : 200, CheckpointEvery = full ? 500 : 200,
        };
        return new LanguageModelRunConfig
        {
            Data = data, Preset = full ? "full" : "quick", Trainer = trainer,
            Width = full ? 192 : 128, Layers = 4, Heads = 4,
        };
    }
}
