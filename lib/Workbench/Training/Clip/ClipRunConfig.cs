using System.Text.Json.Serialization;
using Workbench.Models;
using Workbench.Models.Clip;
using Workbench.Runtime;
using Workbench.Training.Runs;

namespace Workbench.Training.Clip;

/// <summary>
/// Every hyperparameter of a CLIP training run in one record: the data, the model, the optimisation and the evaluation.
/// The defaults are the quick preset for ShapesWorld; <see cref="For"/> gives the tuned presets (the README lists them
/// all in one table); vary them with <c>with</c>.
/// </summary>
public sealed record ClipRunConfig : IMethodConfig
{
    /// <inheritdoc />
    public string Method => "clip";
    /// <summary>The data source: shapes, fashion-mnist, fashion-scenes, or a caption file.</summary>
    public string Data { get; init; } = "shapes";
    /// <summary>The preset this config came from (quick, full), for reports.</summary>
    public string Preset { get; init; } = "quick";
    /// <summary>Seed of the model's initial weights, the shuffles and the caption choices.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Image encoder: "cnn" (a small CNN, which learns far faster per CPU second on small images) or "vit" (CLIP's
    /// Vision Transformer, with <see cref="Width"/>, <see cref="Layers"/> and <see cref="Heads"/> and an 8×8 patch grid).
    /// </summary>
    public string ImageEncoder { get; init; } = ImageEncoders.Cnn;
    /// <summary>Width of the text Transformer, of the ViT and of the shared image-text embedding space.</summary>
    public int Width { get; init; } = 128;
    /// <summary>Transformer blocks in the text encoder (and in the ViT).</summary>
    public int Layers { get; init; } = 3;
    /// <summary>Attention heads per block.</summary>
    public int Heads { get; init; } = 4;
    /// <summary>Channels of the CNN's first block; each later block doubles them.</summary>
    public int ConvWidth { get; init; } = 32;
    /// <summary>Blocks of the CNN; each halves the resolution.</summary>
    public int ConvBlocks { get; init; } = 2;
    /// <summary>Features of the CNN's last layer, which flattens its feature map (and so keeps where things are).</summary>
    public int ConvFeatures { get; init; } = 256;
    /// <summary>Tokens per caption (begin and end included).</summary>
    public int ContextLength { get; init; } = 32;
    /// <summary>Symmetric InfoNCE (CLIP) or the sigmoid loss (SigLIP).</summary>
    public ContrastiveLossKind Loss { get; init; } = ContrastiveLossKind.InfoNce;
    /// <summary>Learn the temperature (CLIP) or keep it at its initial value (an ablation).</summary>
    public bool LearnTemperature { get; init; } = true;
    /// <summary>Treat pairs with identical captions in a batch as positives of each other (not negatives).</summary>
    public bool GroupIdenticalCaptions { get; init; } = true;
    /// <summary>
    /// NegCLIP's hard negatives: each caption is also encoded with two of its scene's objects swapping kinds (the same
    /// words, the wrong binding), and each image's softmax runs over those too, so that the tower must see which colour
    /// goes with which shape, not only which colours and shapes occur. Needs a generated data set (ShapesWorld,
    /// FashionScenes), which can word any scene. Left out of run.json when off.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool HardNegatives { get; init; }

    /// <summary>Pairs per optimizer step.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Optimizer steps.</summary>
    public long Steps { get; init; } = 250;
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;
    /// <summary>Linear warm-up steps.</summary>
    public long WarmupSteps { get; init; } = 25;
    /// <summary>After warm-up the learning rate follows a cosine down to this share of the peak at the last step.</summary>
    public double MinLearningRateRatio { get; init; } = 0.1;
    /// <summary>AdamW weight decay, on the weight matrices of linear and convolution layers only (see <see cref="WeightDecayGroups"/>).</summary>
    public double WeightDecay { get; init; } = 0.1;
    /// <summary>Adam's first-moment coefficient.</summary>
    public double AdamBeta1 { get; init; } = 0.9;
    /// <summary>Adam's second-moment coefficient (CLIP's 0.98, steadier than 0.999 for large contrastive batches).</summary>
    public double AdamBeta2 { get; init; } = 0.98;
    /// <summary>Adam's epsilon (CLIP's 1e-6).</summary>
    public double AdamEpsilon { get; init; } = 1e-6;
    /// <summary>Gradients with a larger global L2 norm are scaled down to it.</summary>
    public double GradientClipNorm { get; init; } = 1.0;
    /// <summary>Evaluate on held-out data every this many steps (and at the end).</summary>
    public long EvalEvery { get; init; } = 125;
    /// <summary>Checkpoint every this many steps (and at the end).</summary>
    public long CheckpointEvery { get; init; } = 125;
    /// <summary>Matrix products in float32 or bfloat16 (<see cref="TrainerConfig.Precision"/>; the presets take <see cref="PreferredPrecision.Current"/>); absent from run.json at fp32.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Precision Precision { get; init; } = Precision.Fp32;
    /// <summary>Log (read the loss back) every this many steps; null: every step (<see cref="TrainerConfig.LogEvery"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? LogEvery { get; init; }

    /// <summary>Held-out pairs for retrieval (the first N of the test split).</summary>
    public int RetrievalSamples { get; init; } = 1000;
    /// <summary>Held-out images for zero-shot classification (all of the test split when null).</summary>
    public int? ZeroShotSamples { get; init; }
    /// <summary>Validation pairs scored during training.</summary>
    public int ValidationSamples { get; init; } = 500;
    /// <summary>Training images for the linear probe (0: no probe; only data with classes has one).</summary>
    public int LinearProbeSamples { get; init; } = 5000;
    /// <summary>Training samples whose captions build the word vocabulary.</summary>
    public int VocabularySamples { get; init; } = 5000;
    /// <summary>Train on the first N samples of the training split only (all when null): the data-size axis of an ablation.</summary>
    public int? TrainSamples { get; init; }

    /// <summary>
    /// The tuned preset for a data source: "quick" (minutes on a laptop CPU), "full" (the same model trained about four
    /// to five times longer) or "smoke" (the quick model for a handful of steps on small evaluations: seconds, to check
    /// that everything runs; its figures mean nothing). Quick and full differ in training length, not in model size: on
    /// the 2-core CPU they were tuned on, the small CNN and 3-layer text Transformer are what trains in minutes.
    /// </summary>
    /// <exception cref="ArgumentException">The preset is not smoke, quick or full.</exception>
    public static ClipRunConfig For(string data, string preset, int seed = 0)
    {
        string name = preset.ToLowerInvariant();
        if (name is not ("smoke" or "quick" or "full"))
            throw new ArgumentException($"Unknown preset '{preset}': use smoke, quick or full.");
        bool full = name == "full";
        var config = new ClipRunConfig { Data = data, Preset = name, Seed = seed, Precision = PreferredPrecision.Current };
        bool fashion = data.StartsWith("fashion-mnist", StringComparison.OrdinalIgnoreCase) || data.Equals("fashion", StringComparison.OrdinalIgnoreCase);
        // Scenes (the defaults) have captions that name colours, shapes, sizes and places, so the image encoder must keep
        // where things are: the CNN's flattening layer does. Fashion-MNIST has ten class captions: the text side is
        // easy, short captions suffice, and larger batches hold more distinct photos to contrast.
        if (fashion)
            config = config with { ContextLength = 16, BatchSize = 256, LinearProbeSamples = 2000 };
        if (name == "smoke")
            return config with
            {
                BatchSize = 32, Steps = 4, WarmupSteps = 1, EvalEvery = 0, CheckpointEvery = 0, RetrievalSamples = 100,
                ValidationSamples = 64, ZeroShotSamples = 200, LinearProbeSamples = Math.Min(config.LinearProbeSamples, 200),
                VocabularySamples = 500,
            };
        if (!full) return config;
        return fashion
            ? config with { Steps = 1200, WarmupSteps = 60, EvalEvery = 300, CheckpointEvery = 300, LinearProbeSamples = 10_000 }
            : config with { Steps = 1000, WarmupSteps = 50, EvalEvery = 250, CheckpointEvery = 250 };
    }

    /// <summary>
    /// The CLIP run that LLaVA's and Flamingo's presets take their frozen tower from. On data that generates its scenes
    /// it trains with <see cref="HardNegatives"/>, on the full schedule even for quick (1,000 steps on ShapesWorld): a
    /// language model can only say which colour the circle is if the tower's tokens bind colour to shape. Measured on
    /// ShapesWorld (seed 0, 1,000 test scenes), the image prefers its caption to the swapped one in 63% of scenes after
    /// the plain quick preset, 76% after 1,000 plain steps and 93% after 1,000 steps with hard negatives; quick LLaVA
    /// rose from 54.8% to 60.4% with it. Its text Transformer is narrower than the CLIP presets' (width 64, 2 layers, not
    /// 128 and 3): the text side only teaches the tower and is thrown away, it held three quarters of a step's work with
    /// hard negatives (two captions an image), and the narrow one trains the same tower 4.6 times faster (1,000 steps in
    /// 175 s against about 7 minutes) with the same retrieval and binding (R@1 0.996 against 0.993, binding swap 0.917
    /// against 0.915; README, "A tower in three minutes"). Elsewhere it is <see cref="For"/>'s preset.
    /// </summary>
    public static ClipRunConfig TowerFor(string data, string preset, int seed = 0)
    {
        var config = For(data, preset, seed);
        if (!Workbench.Data.DataSources.GeneratesScenes(data)) return config;
        if (config.Preset == "quick") config = For(data, "full", seed) with { Preset = config.Preset };
        return config with { HardNegatives = true, Width = 64, Layers = 2 };
    }

    /// <summary>The model this run trains, for a tokenizer's vocabulary and the data's image size.</summary>
    /// <param name="vocabularySize">Token ids of the tokenizer.</param>
    /// <param name="endOfTextId">The tokenizer's end-of-text id.</param>
    /// <param name="padId">The tokenizer's padding id.</param>
    /// <param name="imageSize">Side of the square images.</param>
    public ClipConfig ModelConfigFor(int vocabularySize, int endOfTextId, int padId, int imageSize) =>
        ClipConfig.Sized(vocabularySize, endOfTextId, ContextLength, imageSize, padId, Width, Layers, Heads,
                         ConvWidth, ConvBlocks, ConvFeatures) with { ImageEncoder = ImageEncoder, Loss = Loss };

    /// <summary>How the <see cref="Training.Trainer"/> runs this config: derived from the fields above, the one table of CLIP's hyperparameters.</summary>
    [JsonIgnore]
    public TrainerConfig Trainer => new()
    {
        Steps = Steps, LearningRate = LearningRate, WarmupSteps = WarmupSteps, MinLearningRateRatio = MinLearningRateRatio,
        WeightDecay = WeightDecay, Betas = (AdamBeta1, AdamBeta2), Eps = AdamEpsilon, GradientClipNorm = GradientClipNorm,
        EvalEvery = EvalEvery, CheckpointEvery = CheckpointEvery, Seed = Seed, Precision = Precision, LogEvery = LogEvery,
    };
}
