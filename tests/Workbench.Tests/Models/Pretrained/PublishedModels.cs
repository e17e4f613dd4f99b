using TorchSharp;
using static TorchSharp.torch;

namespace Workbench.Tests.Models.Pretrained;

/// <summary>
/// The published models written a second time, straight from their checkpoints' tensors: GPT-2 as Hugging Face's
/// <c>modeling_gpt2.py</c> computes it (Conv1D <c>x @ W + b</c>) and CLIP as openai/CLIP's <c>model.py</c> does
/// (<c>x @ proj</c>, <c>nn.MultiheadAttention</c>'s <c>in_proj_weight</c>). No workbench module is used, so a wrong
/// name, a missed transpose of a square matrix or a wrong activation in the loaders shows as different numbers.
/// Also makes random checkpoints of both layouts.
/// </summary>
static class PublishedModels
{
    static Tensor LayerNorm(Tensor x, IReadOnlyDictionary<string, Tensor> t, string name, double eps = 1e-5) =>
        nn.functional.layer_norm(x, [x.shape[^1]], t[name + ".weight"], t[name + ".bias"], eps);

    /// <summary>Causal or full multi-head attention from fused q/k/v weights given as (in, 3·out) = Conv1D orientation.</summary>
    static Tensor Attention(Tensor x, Tensor qkvWeight, Tensor qkvBias, Tensor outWeight, Tensor outBias, int heads, bool causal)
    {
        long b = x.shape[0], n = x.shape[1], w = x.shape[2], d = w / heads;
        var qkv = x.matmul(qkvWeight) + qkvBias;
        var parts = qkv.split(w, -1);
        Tensor Heads(Tensor m) => m.view(b, n, heads, d).transpose(1, 2);
        var scores = Heads(parts[0]).matmul(Heads(parts[1]).transpose(-1, -2)) / Math.Sqrt(d);
        if (causal) scores = scores + full(n, n, float.NegativeInfinity).triu(1);
        var mixed = nn.functional.softmax(scores, -1).matmul(Heads(parts[2])).transpose(1, 2).reshape(b, n, w);
        return mixed.matmul(outWeight) + outBias;
    }

    /// <summary>GPT-2's logits (B, T, V) for ids (B, T), from Hugging Face tensor names without the <c>transformer.</c> prefix.</summary>
    public static Tensor Gpt2Logits(IReadOnlyDictionary<string, Tensor> t, Tensor ids, int heads, double eps = 1e-5)
    {
        int layers = t.Keys.Count(k => k.EndsWith(".ln_1.weight"));
        var x = t["wte.weight"][ids] + t["wpe.weight"][arange(ids.shape[1])];
        for (int i = 0; i < layers; i++)
        {
            string p = $"h.{i}.";
            x = x + Attention(LayerNorm(x, t, p + "ln_1", eps), t[p + "attn.c_attn.weight"], t[p + "attn.c_attn.bias"],
                t[p + "attn.c_proj.weight"], t[p + "attn.c_proj.bias"], heads, causal: true);
            var hidden = LayerNorm(x, t, p + "ln_2", eps).matmul(t[p + "mlp.c_fc.weight"]) + t[p + "mlp.c_fc.bias"];
            // gelu_new: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
            hidden = 0.5 * hidden * (1 + tanh(Math.Sqrt(2 / Math.PI) * (hidden + 0.044715 * hidden.pow(3))));
            x = x + hidden.matmul(t[p + "mlp.c_proj.weight"]) + t[p + "mlp.c_proj.bias"];
        }
        return LayerNorm(x, t, "ln_f", eps).matmul(t["wte.weight"].t());
    }

    /// <summary>OpenAI CLIP's residual blocks (QuickGELU) over (B, N, W); <c>in_proj_weight</c> is (3W, W), Linear orientation.</summary>
    static Tensor ClipBlocks(Tensor x, IReadOnlyDictionary<string, Tensor> t, string prefix, int heads, bool causal)
    {
        int layers = t.Keys.Count(k => k.StartsWith(prefix) && k.EndsWith(".ln_1.weight"));
        for (int i = 0; i < layers; i++)
        {
            string p = $"{prefix}{i}.";
            x = x + Attention(LayerNorm(x, t, p + "ln_1"), t[p + "attn.in_proj_weight"].t(), t[p + "attn.in_proj_bias"],
                t[p + "attn.out_proj.weight"].t(), t[p + "attn.out_proj.bias"], heads, causal);
            var hidden = LayerNorm(x, t, p + "ln_2").matmul(t[p + "mlp.c_fc.weight"].t()) + t[p + "mlp.c_fc.bias"];
            hidden = hidden * sigmoid(1.702 * hidden);
            x = x + hidden.matmul(t[p + "mlp.c_proj.weight"].t()) + t[p + "mlp.c_proj.bias"];
        }
        return x;
    }

    /// <summary>openai/CLIP's <c>encode_image</c> (B, D) of preprocessed images (B, 3, S, S).</summary>
    public static Tensor ClipEncodeImage(IReadOnlyDictionary<string, Tensor> t, Tensor images, int heads)
    {
        var conv = t["visual.conv1.weight"];
        var x = nn.functional.conv2d(images, conv, strides: [conv.shape[2], conv.shape[3]]);   // (B, W, g, g)
        x = x.flatten(2).transpose(1, 2);
        var cls = t["visual.class_embedding"].expand(images.shape[0], 1, -1);
        x = cat([cls, x], 1) + t["visual.positional_embedding"];
        x = LayerNorm(x, t, "visual.ln_pre");
        x = ClipBlocks(x, t, "visual.transformer.resblocks.", heads, causal: false);
        return LayerNorm(x[.., 0], t, "visual.ln_post").matmul(t["visual.proj"]);
    }

    /// <summary>openai/CLIP's <c>encode_text</c> (B, D) of ids (B, context): features at the largest id (end of text).</summary>
    public static Tensor ClipEncodeText(IReadOnlyDictionary<string, Tensor> t, Tensor ids, int heads)
    {
        var x = t["token_embedding.weight"][ids] + t["positional_embedding"];
        x = ClipBlocks(x, t, "transformer.resblocks.", heads, causal: true);
        x = LayerNorm(x, t, "ln_final");
        return x[arange(ids.shape[0]), ids.argmax(-1)].matmul(t["text_projection"]);
    }

    static Tensor Random(Generator g, params long[] shape) => randn(shape, generator: g) * 0.2;
    static Tensor NearOne(Generator g, long n) => 1 + randn(n, generator: g) * 0.1;

    static void AddBlock(Dictionary<string, Tensor> t, Generator g, string p, long w, bool conv1d)
    {
        t[p + "ln_1.weight"] = NearOne(g, w); t[p + "ln_1.bias"] = Random(g, w);
        t[p + "ln_2.weight"] = NearOne(g, w); t[p + "ln_2.bias"] = Random(g, w);
        if (conv1d)
        {
            t[p + "attn.c_attn.weight"] = Random(g, w, 3 * w); t[p + "attn.c_attn.bias"] = Random(g, 3 * w);
            t[p + "attn.c_proj.weight"] = Random(g, w, w); t[p + "attn.c_proj.bias"] = Random(g, w);
            t[p + "mlp.c_fc.weight"] = Random(g, w, 4 * w); t[p + "mlp.c_proj.weight"] = Random(g, 4 * w, w);
        }
        else
        {
            t[p + "attn.in_proj_weight"] = Random(g, 3 * w, w); t[p + "attn.in_proj_bias"] = Random(g, 3 * w);
            t[p + "attn.out_proj.weight"] = Random(g, w, w); t[p + "attn.out_proj.bias"] = Random(g, w);
            t[p + "mlp.c_fc.weight"] = Random(g, 4 * w, w); t[p + "mlp.c_proj.weight"] = Random(g, w, 4 * w);
        }
        t[p + "mlp.c_fc.bias"] = Random(g, 4 * w); t[p + "mlp.c_proj.bias"] = Random(g, w);
    }

    /// <summary>A random GPT-2 in Hugging Face's own layout (no prefix, with the causal-mask buffers, no lm_head).</summary>
    public static Dictionary<string, Tensor> RandomGpt2(int seed, long vocabulary = 97, long context = 40, long width = 32, int layers = 2)
    {
        var g = new Generator((ulong)seed);
        var t = new Dictionary<string, Tensor> { ["wte.weight"] = Random(g, vocabulary, width), ["wpe.weight"] = Random(g, context, width) };
        for (int i = 0; i < layers; i++)
        {
            AddBlock(t, g, $"h.{i}.", width, conv1d: true);
            t[$"h.{i}.attn.bias"] = ones(1, 1, context, context).tril();
            t[$"h.{i}.attn.masked_bias"] = tensor(-1e4f);
        }
        t["ln_f.weight"] = NearOne(g, width); t["ln_f.bias"] = Random(g, width);
        return t;
    }

    /// <summary>A random ViT CLIP in openai/CLIP's layout: a 4×4 grid of patches (32 px images at patch 8), both towers 128 wide (2 heads of 64).</summary>
    public static Dictionary<string, Tensor> RandomClip(int seed, long vocabulary = 100, long context = 16, long width = 128, long embed = 48,
        int visionLayers = 2, int textLayers = 1, long patch = 8)
    {
        var g = new Generator((ulong)seed);
        var t = new Dictionary<string, Tensor>
        {
            ["visual.conv1.weight"] = Random(g, width, 3, patch, patch) * 0.3,
            ["visual.class_embedding"] = Random(g, width),
            ["visual.positional_embedding"] = Random(g, 17, width),
            ["visual.ln_pre.weight"] = NearOne(g, width), ["visual.ln_pre.bias"] = Random(g, width),
            ["visual.ln_post.weight"] = NearOne(g, width), ["visual.ln_post.bias"] = Random(g, width),
            ["visual.proj"] = Random(g, width, embed),
            ["token_embedding.weight"] = Random(g, vocabulary, width),
            ["positional_embedding"] = Random(g, context, width),
            ["ln_final.weight"] = NearOne(g, width), ["ln_final.bias"] = Random(g, width),
            ["text_projection"] = Random(g, width, embed),
            ["logit_scale"] = tensor((float)Math.Log(1 / 0.07)),
        };
        for (int i = 0; i < visionLayers; i++) AddBlock(t, g, $"visual.transformer.resblocks.{i}.", width, conv1d: false);
        for (int i = 0; i < textLayers; i++) AddBlock(t, g, $"transformer.resblocks.{i}.", width, conv1d: false);
        return t;
    }
}
