using Workbench.Runtime;
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

    /// <summary>
    /// Learned positions (GPT-2's table; what GPT-2 checkpoints need) or rotary attention. Left out of run.json when
    /// learned, so configurations from before it keep their hashes.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public Models.Language.PositionEncoding Positions { get; init; }

    /// <summary>
    /// Canon layers of this kernel before each block's attention (<see cref="Models.CanonLayer"/>); 0: none, as GPT-2 and
    /// every run from before them (a run.json without it reads as 0). The presets use 4: with them the quick model
    /// answers 81.6% of questions from a caption in context, against 62.8% without (README, "The language model's
    /// plateau"). Left out of run.json when 0.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int Canon { get; init; }
    /// <summary>Sequences per optimizer step.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Most question-answer turns after the caption in one sequence.</summary>
    public int TurnsPerSequence { get; init; } = 6;
    /// <summary>
    /// Put loss on every token (plain language modelling), or only on answers and requested captions. A random scene's
    /// caption is unpredictable beyond its grammar, so its tokens dominate a plain loss while teaching little; the
    /// answers are what teach the model to read its context.
    /// </summary>
    public bool SuperviseEveryToken { get; init; }
    /// <summary>
    /// Questions follow the canonical caption (the first, fixed word order) rather than a random paraphrase: a model
    /// learns to look an attribute up far sooner when the caption's syntax does not vary; the paraphrases still appear
    /// in caption requests.
    /// </summary>
    public bool CanonicalCaptionBeforeQuestions { get; init; } = true;
    /// <summary>
    /// Ask the first question before the caption (<see cref="Text.ConversationFormat.Prompt"/>), in training and in the
    /// with-caption evaluation, so that the caption's words can attend to the question. Left out of run.json when off.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool QuestionFirst { get; init; }
    /// <summary>Fraction of sequences that ask for a caption (another paraphrase) instead of questions.</summary>
    public double CaptionRequestFraction { get; init; } = 0.25;
    /// <summary>
    /// Caption requests ask for the context caption itself, word for word, rather than another paraphrase: a task that
    /// only copying from the context solves, which rewards the attention circuit that looking an attribute up needs.
    /// Left out of run.json when off.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool CaptionRequestsRepeat { get; init; }
    /// <summary>Start each training sequence at a random position, so positions that longer sequences reach are trained too.</summary>
    public bool RandomPositionOffsets { get; init; } = true;
    /// <summary>
    /// The largest random offset: room for image tokens standing where a caption stood. Offsets over the whole context
    /// slowed learning to look things up in the caption (answers 51% against 59% without offsets after 400 quick steps).
    /// </summary>
    public int MaxPositionOffset { get; init; } = 48;

    /// <summary>Training samples whose captions, questions and answers build the vocabulary.</summary>
    public int VocabularySamples { get; init; } = 5000;
    /// <summary>Held-out scenes for the test figures.</summary>
    public int TestSamples { get; init; } = 500;
    /// <summary>Validation scenes scored during training.</summary>
    public int ValidationSamples { get; init; } = 200;

    /// <summary>The tuned preset: "quick" (minutes on a laptop CPU), "full" (twice as long) or "smoke" (seconds).</summary>
    public static LanguageModelRunConfig For(string data, string preset, int seed = 0)
    {
        var size = Presets.Parse(preset);
        // The cosine ends at half the peak rate, not a tenth: the model learns to look every attribute up late in the run
        // (answers with the caption 75% at step 600 either way), and at a tenth of the rate its last steps are too slow
        // for it (81.6% at step 800 against 91.7%; README, "The language model's plateau").
        var trainer = new TrainerConfig
        {
            Seed = seed, Steps = 800, LearningRate = 2e-3, WarmupSteps = 50, MinLearningRateRatio = 0.5, WeightDecay = 0.1, EvalEvery = 200, CheckpointEvery = 200,
            Precision = PreferredPrecision.Current,
        };
        var config = new LanguageModelRunConfig { Data = data, Preset = preset.ToLowerInvariant(), Trainer = trainer, Canon = 4 };
        return size switch
        {
            PresetSize.Smoke => config with
            {
                Width = 64, Layers = 2, BatchSize = 16, TestSamples = 20, ValidationSamples = 10, VocabularySamples = 500,
                Trainer = trainer with { Steps = 4, WarmupSteps = 1, EvalEvery = 0, CheckpointEvery = 0 },
            },
            // Full: the quick model trained twice as long, to the end of a cosine that falls to a tenth (99.4% from the caption
            // in 802 s on 2 cores). LLaVA's full preset stands on it: 200 and 1,000 LLaVA steps reach 92.9% (90.7% unseen),
            // the whole pipeline from an empty cache in 29 minutes (README, "The full preset"). Wider models are a
            // `--set Width=...` away on machines that have the time.
            PresetSize.Full => config with { Trainer = trainer with { Steps = 1600, MinLearningRateRatio = 0.1, EvalEvery = 400, CheckpointEvery = 400 } },
            _ => config,
        };
    }
}
