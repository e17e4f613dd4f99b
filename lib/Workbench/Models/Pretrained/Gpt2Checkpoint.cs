using System.Text.Json;
using TorchSharp;
using Workbench.IO;
using Workbench.Models.Language;
using static TorchSharp.torch;

namespace Workbench.Models.Pretrained;

/// <summary>
/// GPT-2 checkpoints in Hugging Face's layout, loaded into the workbench's <see cref="GptModel"/> (which has GPT-2's
/// architecture). Both variants found in the wild load: Hugging Face's own <c>gpt2</c> files (names without the
/// <c>transformer.</c> prefix, no <c>lm_head.weight</c>, and <c>attn.bias</c>/<c>attn.masked_bias</c> mask buffers) and
/// fine-tuned exports (<c>transformer.</c> prefix and a tied <c>lm_head.weight</c>). GPT-2's linear layers are
/// <c>Conv1D</c>s computing <c>x @ W + b</c>, so <c>attn.c_attn</c>, <c>attn.c_proj</c>, <c>mlp.c_fc</c> and
/// <c>mlp.c_proj</c> are stored transposed against PyTorch's Linear. Heads, LayerNorm epsilon and activation come from
/// a <c>config.json</c> beside the weights when there is one; otherwise heads = width / 64.
/// </summary>
public static class Gpt2Checkpoint
{
    /// <summary>The layout's name in messages.</summary>
    public const string Layout = "Hugging Face GPT-2";

    /// <summary>Hugging Face's configuration file beside the weights.</summary>
    public const string ConfigFile = "config.json";

    const string Prefix = "transformer.";

    /// <summary>GPT-2's sizes read from a <see cref="ConfigFile"/>; null fields were not in the file.</summary>
    /// <param name="Heads"><c>n_head</c>.</param>
    /// <param name="LayerNormEps"><c>layer_norm_epsilon</c>.</param>
    /// <param name="Activation"><c>activation_function</c>.</param>
    public sealed record HuggingFaceConfig(int? Heads, double? LayerNormEps, Activation? Activation);

    /// <summary>The <see cref="ConfigFile"/> beside <paramref name="file"/>, or null when there is none.</summary>
    public static HuggingFaceConfig? ReadConfig(string file)
    {
        string path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, ConfigFile);
        if (!File.Exists(path)) return null;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            int? heads = root.TryGetProperty("n_head", out var h) ? h.GetInt32() : null;
            double? eps = root.TryGetProperty("layer_norm_epsilon", out var e) ? e.GetDouble() : null;
            Activation? activation = root.TryGetProperty("activation_function", out var a) ? a.GetString() switch
            {
                "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => Activation.GeluTanh,
                "gelu" => Activation.Gelu,
                "quick_gelu" => Activation.QuickGelu,
                var other => throw new InvalidDataException($"{path}: activation_function '{other}' is not one the workbench has (gelu_new, gelu, quick_gelu)."),
            } : null;
            return new HuggingFaceConfig(heads, eps, activation);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a valid Hugging Face config.json ({e.Message}).", e);
        }
    }

    /// <summary>
    /// The <see cref="GptConfig"/> a checkpoint implies: vocabulary, context length and width from <c>wte</c> and
    /// <c>wpe</c>, layers by counting <c>h.N</c>, heads from <paramref name="config"/> or width / 64.
    /// </summary>
    /// <param name="tensors">The checkpoint's tensors, names without the <c>transformer.</c> prefix (see <see cref="Normalize"/>).</param>
    /// <param name="file">The file, for messages.</param>
    /// <param name="config">The config.json beside it, if any.</param>
    public static GptConfig InferConfig(IReadOnlyDictionary<string, Tensor> tensors, string file, HuggingFaceConfig? config = null)
    {
        long[] Shape(string name) => tensors.TryGetValue(name, out var t) ? t.shape
            : throw new InvalidDataException($"{file}: not a {Layout} checkpoint: it has no '{name}' (or '{Prefix}{name}').");
        var wte = Shape("wte.weight");
        var wpe = Shape("wpe.weight");
        int width = (int)wte[1];
        int heads = config?.Heads ?? Math.Max(1, width / 64);
        if (width % heads != 0) throw new InvalidDataException($"{file}: width {width} is not a multiple of {heads} heads.");
        return new GptConfig((int)wte[0], (int)wpe[0], width, StateDictLayout.CountBlocks(tensors, "h."), heads)
        {
            Activation = config?.Activation ?? Activation.GeluTanh,
            LayerNormEps = config?.LayerNormEps ?? 1e-5,
        };
    }

    /// <summary>The tensors under the names of Hugging Face's own files: the <c>transformer.</c> prefix removed.</summary>
    public static Dictionary<string, Tensor> Normalize(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.ToDictionary(kv => kv.Key.StartsWith(Prefix, StringComparison.Ordinal) ? kv.Key[Prefix.Length..] : kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>
    /// Loads a GPT-2 checkpoint (safetensors or PyTorch) into a new <see cref="GptModel"/> in evaluation mode, fp16/bf16
    /// weights converted to fp32.
    /// </summary>
    /// <param name="file">The weights.</param>
    /// <param name="extraTokens">Rows to add to the token embedding for tokens GPT-2 lacks (the workbench's <c>&lt;image&gt;</c>,
    /// <c>&lt;eoc&gt;</c>, <c>&lt;pad&gt;</c>); they start at the mean of GPT-2's embeddings, as Hugging Face's
    /// <c>resize_token_embeddings</c> advises, so the LM head gives them ordinary logits.</param>
    /// <exception cref="CheckpointLayoutException">Tensors are missing, unexpected or misshapen; lists each.</exception>
    public static GptModel Load(string file, int extraTokens = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(extraTokens);
        var raw = PythonStateDict.Read(file);
        try
        {
            var tensors = Normalize(raw);
            var config = InferConfig(tensors, file, ReadConfig(file));
            var model = new GptModel(config with { VocabularySize = config.VocabularySize + extraTokens });
            if (tensors.TryGetValue("lm_head.weight", out var head) && !head.shape.SequenceEqual(tensors["wte.weight"].shape))
                throw new CheckpointLayoutException(file, Layout, [$"lm_head.weight: expected {StateDictLayout.Describe(tensors["wte.weight"].shape)} (tied to wte), found {StateDictLayout.Describe(head.shape)}"]);
            StateDictLayout.Load(model, tensors, file, Layout, name => ExternalNameOf(name, prefix: ""),
                ignore: IsIgnored, extraRows: new HashSet<string> { "wte.weight" });
            if (extraTokens > 0)
                using (no_grad())
                {
                    var table = model.TokenEmbedding;
                    using var mean = table[..config.VocabularySize].mean([0]);
                    table[config.VocabularySize..].copy_(mean.expand(extraTokens, -1));
                }
            model.eval();
            return model;
        }
        finally
        {
            foreach (var tensor in raw.Values) tensor.Dispose();
        }
    }

    /// <summary>
    /// Writes a <see cref="GptModel"/> as a fine-tuned Hugging Face export: <c>transformer.</c> names, Conv1D orientation and
    /// the tied <c>lm_head.weight</c> (format by extension: <c>.safetensors</c>, else PyTorch), plus a <see cref="ConfigFile"/>
    /// with its heads, so that it loads back (here or in <c>transformers</c>) as it was.
    /// </summary>
    public static void Save(GptModel model, string file)
    {
        var tensors = StateDictLayout.Export(model, ExternalNameOf);
        tensors["lm_head.weight"] = model.TokenEmbedding.detach();
        PythonStateDict.Write(file, tensors);
        var c = model.Config;
        AtomicFile.WriteAllText(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, ConfigFile), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model_type"] = "gpt2", ["architectures"] = new[] { "GPT2LMHeadModel" },
            ["vocab_size"] = c.VocabularySize, ["n_positions"] = c.ContextLength, ["n_embd"] = c.Width, ["n_layer"] = c.Layers, ["n_head"] = c.Heads,
            ["layer_norm_epsilon"] = c.LayerNormEps,
            ["activation_function"] = c.Activation switch { Activation.GeluTanh => "gelu_new", Activation.Gelu => "gelu", _ => "quick_gelu" },
        }, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Where each <see cref="GptModel"/> tensor sits in a fine-tuned export (with the <c>transformer.</c> prefix).</summary>
    public static ExternalName ExternalNameOf(string name) => ExternalNameOf(name, Prefix);

    /// <summary>Where each <see cref="GptModel"/> tensor sits, under <paramref name="prefix"/> ("" for Hugging Face's own files).</summary>
    static ExternalName ExternalNameOf(string name, string prefix)
    {
        string external = name
            .Replace(".attn.in_proj_weight", ".attn.c_attn.weight", StringComparison.Ordinal)
            .Replace(".attn.in_proj_bias", ".attn.c_attn.bias", StringComparison.Ordinal)
            .Replace(".attn.out_proj.", ".attn.c_proj.", StringComparison.Ordinal);
        bool conv1d = external.EndsWith("attn.c_attn.weight", StringComparison.Ordinal) || external.EndsWith("attn.c_proj.weight", StringComparison.Ordinal)
            || external.EndsWith("mlp.c_fc.weight", StringComparison.Ordinal) || external.EndsWith("mlp.c_proj.weight", StringComparison.Ordinal);
        return new ExternalName(prefix + external, conv1d);
    }

    /// <summary>Checkpoint entries that are not weights of the model: the causal-mask buffers and the tied LM head.</summary>
    static bool IsIgnored(string name) =>
        name.EndsWith(".attn.bias", StringComparison.Ordinal) || name.EndsWith(".attn.masked_bias", StringComparison.Ordinal) || name == "lm_head.weight";
}
