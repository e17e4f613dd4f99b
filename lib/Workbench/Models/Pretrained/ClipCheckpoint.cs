using System.Text.Json;
using TorchSharp;
using Workbench.IO;
using Workbench.Models.Clip;
using static TorchSharp.torch;

namespace Workbench.Models.Pretrained;

/// <summary>
/// CLIP checkpoints in the layout of openai/CLIP's <c>model.py</c> state dict, which OpenCLIP's ViT models share:
/// <c>visual.conv1.weight</c>, <c>visual.class_embedding</c>, <c>visual.positional_embedding</c>, <c>visual.ln_pre</c>,
/// <c>visual.transformer.resblocks.N.{ln_1, attn.in_proj_weight, attn.out_proj, ln_2, mlp.c_fc, mlp.c_proj}</c>,
/// <c>visual.ln_post</c>, <c>visual.proj</c>, <c>token_embedding.weight</c>, <c>positional_embedding</c>,
/// <c>transformer.resblocks.N...</c>, <c>ln_final</c>, <c>text_projection</c>, <c>logit_scale</c>. The workbench's
/// <see cref="ClipModel"/> already uses these names inside its towers; only the text tower's prefix and the two projection
/// matrices (stored as <c>x @ proj</c>, i.e. transposed against a Linear layer) differ. Read from safetensors or PyTorch
/// files (<see cref="PythonStateDict"/>), written back the same way.
/// </summary>
public static class ClipCheckpoint
{
    /// <summary>The layout's name in messages.</summary>
    public const string Layout = "OpenAI/OpenCLIP CLIP";

    /// <summary>OpenCLIP's configuration file, which may sit beside the weights and says whether the model uses QuickGELU.</summary>
    public const string OpenClipConfigFile = "open_clip_config.json";

    /// <summary>The width of one attention head in every OpenAI and OpenCLIP ViT: heads = width / 64.</summary>
    public const int HeadWidth = 64;

    /// <summary>Entries openai/CLIP's <c>build_model</c> drops: numbers stored beside the weights of some exports.</summary>
    static readonly HashSet<string> Metadata = ["input_resolution", "context_length", "vocab_size"];

    /// <summary>
    /// The <see cref="ClipConfig"/> a checkpoint's tensors imply: widths, patch size, image size, layer counts, context
    /// length, vocabulary and embedding width from their shapes; heads = width / 64; the end-of-text id is the last id
    /// (CLIP's tokenizer puts <c>&lt;|endoftext|&gt;</c> there). Fails naming the file when it is no ViT CLIP.
    /// </summary>
    /// <param name="tensors">The checkpoint's tensors by name.</param>
    /// <param name="file">The file, for messages.</param>
    /// <param name="activation">The MLP's non-linearity: the shapes cannot tell (see <see cref="ActivationFor"/>).</param>
    public static ClipConfig InferConfig(IReadOnlyDictionary<string, Tensor> tensors, string file, Activation activation = Activation.QuickGelu)
    {
        if (tensors.Keys.Any(k => k.StartsWith("visual.layer1.", StringComparison.Ordinal)))
            throw new InvalidDataException($"{file}: a CLIP with a ResNet image tower (RN50, RN101...); only ViT towers load.");
        long[] Shape(string name) => tensors.TryGetValue(name, out var t) ? t.shape
            : throw new InvalidDataException($"{file}: not a {Layout} checkpoint: it has no '{name}'" +
                (tensors.Keys.Any(k => k.StartsWith("vision_model.", StringComparison.Ordinal)) ? " (its names are Hugging Face transformers' CLIPModel; convert with open_clip or export the OpenAI layout)." : "."));
        var conv = Shape("visual.conv1.weight");                  // (width, channels, patch, patch)
        var positions = Shape("visual.positional_embedding");     // (grid² + 1, width)
        var tokens = Shape("token_embedding.weight");             // (vocabulary, text width)
        var textPositions = Shape("positional_embedding");        // (context, text width)
        var projection = Shape("text_projection");                // (text width, embed)
        int visionWidth = (int)conv[0], patch = (int)conv[3], grid = (int)Math.Round(Math.Sqrt(positions[0] - 1));
        if (grid * grid + 1 != positions[0])
            throw new InvalidDataException($"{file}: visual.positional_embedding has {positions[0]} rows, not a square grid of patches plus the class token.");
        int textWidth = (int)tokens[1], vocabulary = (int)tokens[0];
        var text = new TextTransformerConfig(vocabulary, EndOfTextId: vocabulary - 1, ContextLength: (int)textPositions[0], Width: textWidth,
            Layers: StateDictLayout.CountBlocks(tensors, "transformer.resblocks."), Heads: Math.Max(1, textWidth / HeadWidth), PadId: 0) { Activation = activation };
        return new ClipConfig(text)
        {
            ImageEncoder = ImageEncoders.Vit,
            Vision = new VisionTransformerConfig(grid * patch, patch, visionWidth, StateDictLayout.CountBlocks(tensors, "visual.transformer.resblocks."),
                Math.Max(1, visionWidth / HeadWidth), (int)conv[1]) { Activation = activation, PreNorm = true },
            EmbedDim = (int)projection[1],
            Loss = tensors.ContainsKey("logit_bias") ? ContrastiveLossKind.Sigmoid : ContrastiveLossKind.InfoNce,
        };
    }

    /// <summary>
    /// The non-linearity of a checkpoint: what an <see cref="OpenClipConfigFile"/> beside it says (<c>model_cfg.quick_gelu</c>),
    /// else QuickGELU, as OpenAI's models (and OpenCLIP's <c>-quickgelu</c> ones) use.
    /// </summary>
    public static Activation ActivationFor(string file)
    {
        string config = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, OpenClipConfigFile);
        if (!File.Exists(config)) return Activation.QuickGelu;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(config));
            return json.RootElement.TryGetProperty("model_cfg", out var model) && model.TryGetProperty("quick_gelu", out var quick) && quick.ValueKind == JsonValueKind.True
                ? Activation.QuickGelu : Activation.Gelu;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{config}: not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Loads a CLIP checkpoint (safetensors or PyTorch) into a new <see cref="ClipModel"/> in evaluation mode, with the
    /// configuration its shapes imply and fp16/bf16 weights converted to fp32.
    /// </summary>
    /// <param name="file">The checkpoint.</param>
    /// <param name="activation">Overrides <see cref="ActivationFor"/>.</param>
    /// <exception cref="CheckpointLayoutException">Tensors are missing, unexpected or misshapen; lists each.</exception>
    public static ClipModel Load(string file, Activation? activation = null)
    {
        var tensors = PythonStateDict.Read(file);
        try
        {
            var model = new ClipModel(InferConfig(tensors, file, activation ?? ActivationFor(file)));
            StateDictLayout.Load(model, tensors, file, Layout, ExternalNameOf, ignore: Metadata.Contains);
            model.eval();
            return model;
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
    }

    /// <summary>Writes a ViT <see cref="ClipModel"/> in this layout (format by extension: <c>.safetensors</c>, else PyTorch).</summary>
    public static void Save(ClipModel model, string file)
    {
        if (model.Config.ImageEncoder != ImageEncoders.Vit)
            throw new ArgumentException($"Only a ViT CLIP has the {Layout} layout; this model's image encoder is '{model.Config.ImageEncoder}'.");
        if (!model.Config.Vision.PreNorm)
            throw new ArgumentException($"The {Layout} layout has visual.ln_pre; build the ViT with PreNorm = true to save in it.");
        PythonStateDict.Write(file, StateDictLayout.Export(model, ExternalNameOf));
    }

    /// <summary>Where each <see cref="ClipModel"/> tensor sits in the checkpoint.</summary>
    public static ExternalName ExternalNameOf(string name) => name switch
    {
        "image_projection.weight" => new("visual.proj", Transposed: true),
        "text_projection.weight" => new("text_projection", Transposed: true),
        _ when name.StartsWith("text.", StringComparison.Ordinal) => new(name["text.".Length..]),
        _ => new(name),
    };
}
