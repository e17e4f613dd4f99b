using System.Text.Json.Serialization;
using Workbench.Models;
using Workbench.Models.Llava;
using Workbench.Runtime;
using Workbench.Training.Clip;
using Workbench.Training.Language;
using Workbench.Training.Runs;
using Workbench.Training.VisionLanguage;

namespace Workbench.Training.Llava;

/// <summary>
/// A LLaVA run: which stage, the projector, what the frozen tower gives, whether the language model trains, the
/// prerequisite runs it stands on (a CLIP run for the tower, a language-model run), and the trainer.
/// <see cref="For"/> gives the tuned presets; vary them with <c>with</c>.
/// </summary>
public sealed record LlavaRunConfig : IVisionLanguageConfig
{
    /// <inheritdoc />
    public string Method => "llava";
    /// <inheritdoc />
    public string Data { get; init; } = "shapes";
    /// <inheritdoc />
    public string Preset { get; init; } = "quick";
    /// <inheritdoc />
    public TrainerConfig Trainer { get; init; } = new();

    /// <summary>1: alignment (only the projector trains, on captions); 2: instruction tuning (questions and answers).</summary>
    public int Stage { get; init; } = 2;
    /// <summary>The projector, a name from <see cref="Projectors.Names"/>.</summary>
    public string Projector { get; init; } = Projectors.Mlp2xGelu;
    /// <summary>Patch tokens (LLaVA) or the pooled feature alone.</summary>
    public VisionFeatures Features { get; init; } = VisionFeatures.Patches;
    /// <summary>With pooled features: how many language-model tokens the projector makes of the one pooled feature.</summary>
    public int PooledTokens { get; init; } = 1;
    /// <summary>
    /// Average the patch tokens over their square map down to a G×G grid before the projector (G·G image tokens); null:
    /// every patch token. FashionScenes' 56-pixel scenes give the quick CNN tower a 14×14 map, 196 tokens, more than the
    /// language model's 128 positions hold with a conversation: its presets pool to 7×7. Left out of run.json when null.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ImageGrid { get; init; }
    /// <summary>The tower layer whose tokens are read; null: the tower's default (a ViT's penultimate block, the CNN's last).</summary>
    public int? VisionLayer { get; init; }
    /// <summary>Stage 2 only: keep the language model frozen (the ablation); LLaVA trains it.</summary>
    public bool FreezeLanguageModel { get; init; }
    /// <summary>Learning rate of the language model in stage 2, as a fraction of the projector's.</summary>
    public double LanguageModelLearningRateScale { get; init; } = 1.0;

    /// <summary>The CLIP run whose image encoder is the tower (trained on demand, see <see cref="PrerequisiteRuns"/>).</summary>
    public ClipRunConfig Vision { get; init; } = ClipRunConfig.For("shapes", Presets.Quick);
    /// <summary>The language-model run (trained on demand).</summary>
    public LanguageModelRunConfig Language { get; init; } = LanguageModelRunConfig.For("shapes", Presets.Quick);

    /// <summary>
    /// Ask the first question before the image (<see cref="Text.ConversationFormat.Prompt"/>), in training and in
    /// evaluation, as LLaVA's instruction data does for half its first turns: the image's tokens then attend to the
    /// question inside the language model, so each can say whether it shows what is asked about. Left out of run.json when off.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool QuestionFirst { get; init; }

    /// <summary>Sequences per optimizer step.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Most question-answer turns in one stage-2 sequence.</summary>
    public int TurnsPerSequence { get; init; } = 4;
    /// <summary>Train on the first this many training scenes only (null: all of them).</summary>
    public int? TrainSamples { get; init; }
    /// <summary>Held-out scenes for the test figures.</summary>
    public int TestSamples { get; init; } = 1000;
    /// <summary>Validation scenes scored during training.</summary>
    public int ValidationSamples { get; init; } = 200;

    /// <summary>The stage-1 run a stage-2 run starts from (its projector): the same settings at stage 1.</summary>
    [JsonIgnore]   // derived from the settings above, and itself has a StageOne: serialising it would never end
    public LlavaRunConfig StageOne => this with
    {
        Stage = 1, FreezeLanguageModel = true, LanguageModelLearningRateScale = 1.0, QuestionFirst = false,
        Trainer = Trainer with { Steps = StageOneSteps, WarmupSteps = Math.Min(Trainer.WarmupSteps, StageOneSteps / 10) },
    };

    /// <summary>Optimizer steps of the stage-1 run that stage 2 starts from.</summary>
    public long StageOneSteps { get; init; } = 200;

    /// <summary>The tuned preset for a data source: "quick" (minutes on a laptop CPU once the prerequisites exist), "full" or "smoke" (seconds).</summary>
    public static LlavaRunConfig For(string data, string preset, int stage = 2, int seed = 0)
    {
        if (stage is not (1 or 2)) throw new ArgumentException($"LLaVA has stages 1 and 2; got {stage}.");
        var size = Presets.Parse(preset);
        // Quick: 100 stage-1 and 350 stage-2 steps, about 4.5 minutes of training on 2 cores, 84.5% on ShapesWorld (80.1%
        // unseen); 200 and 500 gave 88.3% in about 7 (README, "Where quick LLaVA stands now").
        var trainer = new TrainerConfig
        {
            Seed = seed, Steps = 350, LearningRate = 2e-3, WarmupSteps = 30, WeightDecay = 0.0, EvalEvery = 250, CheckpointEvery = 250,
            Precision = PreferredPrecision.Current,
        };
        var config = new LlavaRunConfig
        {
            Data = data, Preset = preset.ToLowerInvariant(), Trainer = trainer,
            Vision = ClipRunConfig.TowerFor(data, preset, seed), Language = LanguageModelRunConfig.For(data, preset, seed), StageOneSteps = 100,
            ImageGrid = data.Equals("fashion-scenes", StringComparison.OrdinalIgnoreCase) ? 7 : null,
        };
        config = size switch
        {
            PresetSize.Smoke => config with
            {
                BatchSize = 16, TrainSamples = 500, TestSamples = 20, ValidationSamples = 10, StageOneSteps = 4,
                Trainer = trainer with { Steps = 4, WarmupSteps = 1, EvalEvery = 0, CheckpointEvery = 0 },
            },
            // Full: 200 and 1,000 steps on the full language model: 92.9% (90.7% unseen) on ShapesWorld, the whole pipeline from
            // an empty cache in 29 minutes on 2 cores (README, "The full preset"; 700 steps gave 91.4%).
            PresetSize.Full => config with { StageOneSteps = 200, Trainer = trainer with { Steps = 1000 } },
            _ => config,
        };
        return stage == 1 ? config.StageOne : config;
    }
}
