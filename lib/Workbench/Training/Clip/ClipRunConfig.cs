using Workbench.Models.Clip;

namespace Workbench.Training.Clip;

/// <summary>
/// Everything a CLIP training run needs to know: the data, the model's size and ablation knobs, the optimisation,
/// and the evaluation. <see cref="For"/> gives the tuned presets; vary them with <c>with</c>.
/// </summary>
public sealed record ClipRunConfig
{
    /// <summary>The data source: shapes, fashion-mnist, fashion-scenes, or a caption file.</summary>
    public string Data { get; init; } = "shapes";
    /// <summary>The preset this config came from (quick, full), for reports.</summary>
    public string Preset { get; init; } = "quick";
    /// <summary>Seed of the model's initial weights, the shuffles and the caption choices.</summary>
    public int Seed { get; init; }

    /// <summary>Image encoder: "vit" (Vision Transformer) or "cnn" (the small CNN ablation).</summary>
    public string ImageEncoder { get; init; } = ImageEncoders.Vit;
    /// <summary>Model size: "quick" or "full" (see <see cref="ClipConfig.Quick"/> and <see cref="ClipConfig.Full"/>).</summary>
    public string ModelSize { get; init; } = "quick";
    /// <summary>Channels of the CNN's first block (doubling per block); null: the model size's default.</summary>
    public int? ConvWidth { get; init; }
    /// <summary>Blocks of the CNN; null: the model size's default.</summary>
    public int? ConvBlocks { get; init; }
    /// <summary>Symmetric InfoNCE (CLIP) or the sigmoid loss (SigLIP).</summary>
    public ContrastiveLossKind Loss { get; init; } = ContrastiveLossKind.InfoNce;
    /// <summary>Learn the temperature (CLIP) or keep it at its initial value (an ablation).</summary>
    public bool LearnTemperature { get; init; } = true;
    /// <summary>Treat pairs with identical captions in a batch as positives of each other (not negatives).</summary>
    public bool GroupIdenticalCaptions { get; init; } = true;
    /// <summary>Tokens per caption (begin and end included).</summary>
    public int ContextLength { get; init; } = 32;

    /// <summary>Pairs per optimizer step.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Optimizer steps.</summary>
    public long Steps { get; init; } = 300;
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Linear warm-up steps.</summary>
    public long WarmupSteps { get; init; } = 30;
    /// <summary>AdamW weight decay (not on norms, biases, embeddings or the temperature).</summary>
    public double WeightDecay { get; init; } = 0.1;
    /// <summary>Evaluate on held-out data every this many steps (and at the end).</summary>
    public long EvalEvery { get; init; } = 100;
    /// <summary>Checkpoint every this many steps (and at the end).</summary>
    public long CheckpointEvery { get; init; } = 100;

    /// <summary>Held-out pairs for retrieval (the first N of the test split).</summary>
    public int RetrievalSamples { get; init; } = 1000;
    /// <summary>Held-out images for zero-shot classification (all of the test split when null).</summary>
    public int? ZeroShotSamples { get; init; }
    /// <summary>Validation pairs scored during training.</summary>
    public int ValidationSamples { get; init; } = 500;
    /// <summary>Training images for the linear probe (0: no probe).</summary>
    public int LinearProbeSamples { get; init; } = 5000;
    /// <summary>Training samples whose captions build the word vocabulary.</summary>
    public int VocabularySamples { get; init; } = 5000;

    /// <summary>
    /// The tuned preset for a data source and size: "quick" (a laptop CPU in minutes), "full" (longer, larger), or
    /// "smoke" (the quick model for a handful of steps on small evaluations: seconds, to check that everything runs;
    /// its figures mean nothing).
    /// </summary>
    public static ClipRunConfig For(string data, string preset, int seed = 0)
    {
        string name = preset.ToLowerInvariant();
        if (name is not ("smoke" or "quick" or "full"))
            throw new ArgumentException($"Unknown preset '{preset}': use smoke, quick or full.");
        bool full = name == "full";
        var config = new ClipRunConfig { Data = data, Preset = name, Seed = seed };
        bool fashion = data.StartsWith("fashion-mnist", StringComparison.OrdinalIgnoreCase) || data.Equals("fashion", StringComparison.OrdinalIgnoreCase);
        var tuned = fashion
            // Ten class captions: the text side is easy, the image encoder does the work. A CNN learns faster on
            // 28x28 photos than a ViT in the same CPU time (see the README's figures).
            ? config with
            {
                ImageEncoder = ImageEncoders.Cnn, ContextLength = 16, BatchSize = 256,
                Steps = full ? 1200 : 250, WarmupSteps = full ? 60 : 25, LearningRate = 2e-3, EvalEvery = full ? 300 : 125,
                CheckpointEvery = full ? 300 : 125, ModelSize = "quick", ConvWidth = 32,
                LinearProbeSamples = full ? 10_000 : 2000,
            }
            // Scenes: captions name colours, shapes, sizes and places, so the image encoder must keep where things are.
            // The CNN's flattened head does, and trains several times faster per step on a CPU than the ViT
            // (`--image-encoder vit` for the transformer; see the README's figures).
            : config with
            {
                ImageEncoder = ImageEncoders.Cnn, ContextLength = 32, BatchSize = 128,
                Steps = full ? 1000 : 250, WarmupSteps = full ? 50 : 25, LearningRate = 2e-3, EvalEvery = full ? 250 : 125,
                CheckpointEvery = full ? 250 : 125, ModelSize = "quick",
            };
        return name == "smoke"
            ? tuned with
            {
                BatchSize = 32, Steps = 4, WarmupSteps = 1, EvalEvery = 0, CheckpointEvery = 0, RetrievalSamples = 100,
                ValidationSamples = 64, ZeroShotSamples = 200, LinearProbeSamples = Math.Min(tuned.LinearProbeSamples, 200),
                VocabularySamples = 500,
            }
            : tuned;
    }
}
