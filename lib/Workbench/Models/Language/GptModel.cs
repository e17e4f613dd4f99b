using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Workbench.Runtime;

namespace Workbench.Models.Language;

/// <summary>
/// A GPT-style causal language model (Radford et al. 2019, "Language Models are Unsupervised Multitask Learners"):
/// token embeddings plus learned positions (or rotary attention, <see cref="GptConfig.Positions"/>), pre-norm <see cref="TransformerBlock"/>s under a causal mask, a final
/// LayerNorm, and an LM head that shares the token embedding's weights. Parameter names are GPT-2's (<c>wte</c>,
/// <c>wpe</c>, <c>h.N.ln_1</c>, <c>h.N.mlp.c_fc</c>, <c>ln_f</c>); the attention's fused projection is named as in
/// PyTorch (<c>attn.in_proj_weight</c>, GPT-2's <c>attn.c_attn.weight</c> transposed).
/// <para>
/// It reads token ids or ready-made input embeddings (<see cref="Logits"/>): LLaVA splices projected image features
/// in where an image token stands, and Flamingo inserts its cross-attention layers before chosen blocks through
/// <c>beforeBlock</c>.
/// </para>
/// </summary>
public sealed class GptModel : nn.Module<Tensor, Tensor>
{
    readonly Embedding wte;
    readonly Embedding? wpe;
    readonly Dropout drop;
    readonly ModuleList<TransformerBlock> h;
    readonly LayerNorm ln_f;

    /// <summary>The configuration this model was built from.</summary>
    public GptConfig Config { get; }

    /// <summary>Builds the model with GPT-2's initialisation from torch's global generator (seed it for reproducible runs).</summary>
    public GptModel(GptConfig config) : base(nameof(GptModel))
    {
        config.Validate();
        Config = config;
        wte = nn.Embedding(config.VocabularySize, config.Width);
        if (config.Positions == PositionEncoding.Learned) wpe = nn.Embedding(config.ContextLength, config.Width);
        drop = nn.Dropout(config.Dropout);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers)
            .Select(_ => new TransformerBlock(config.Width, config.Heads, 4, config.Activation, config.LayerNormEps, config.Canon)).ToArray());
        ln_f = nn.LayerNorm(config.Width, config.LayerNormEps);
        RegisterComponents();
        InitializeLikeGpt2();
    }

    /// <summary>The transformer blocks, first to last.</summary>
    public IReadOnlyList<TransformerBlock> Blocks => h.ToList();

    /// <summary>The token embedding table (V, W), also the LM head's weights.</summary>
    public Parameter TokenEmbedding => wte.weight!;

    /// <summary>Token width.</summary>
    public int Width => Config.Width;

    /// <summary>Next-token logits (B, T, V) of token ids (B, T), positions 0..T−1.</summary>
    public override Tensor forward(Tensor tokens) => Logits(Embed(tokens));

    /// <summary>The token embeddings (B, T, W) of ids (B, T): what <see cref="Logits"/> reads.</summary>
    public Tensor Embed(Tensor tokens)
    {
        if (tokens.dtype != ScalarType.Int64) throw new ArgumentException($"GptModel expects int64 token ids; got {tokens.dtype}.");
        return wte.forward(tokens);
    }

    /// <summary>Next-token logits (B, T, V) of input embeddings (B, T, W); see <see cref="HiddenStates"/> for the arguments.</summary>
    public Tensor Logits(Tensor inputEmbeddings, Tensor? positions = null, Tensor? keyMask = null, KeyValueCache? cache = null,
        Func<int, Tensor, Tensor>? beforeBlock = null)
    {
        using var hidden = HiddenStates(inputEmbeddings, positions, keyMask, cache, beforeBlock);
        return Head(hidden);
    }

    /// <summary>
    /// Next-token logits (B, V) at the last position only, what decoding reads: a whole prompt's (B, T, V) is large with
    /// GPT-2's 50,257-token vocabulary. See <see cref="HiddenStates"/> for the arguments.
    /// </summary>
    public Tensor LastLogits(Tensor inputEmbeddings, Tensor? positions = null, Tensor? keyMask = null, KeyValueCache? cache = null,
        Func<int, Tensor, Tensor>? beforeBlock = null)
    {
        using var hidden = HiddenStates(inputEmbeddings, positions, keyMask, cache, beforeBlock);
        using var last = hidden[.., ^1];
        return Head(last);
    }

    /// <summary>The LM head, tied to the token embeddings: hidden states (..., W) to logits (..., V).</summary>
    Tensor Head(Tensor hidden) => MixedPrecision.Linear(hidden, wte.weight!);

    /// <summary>
    /// The final hidden states (B, T, W) after <c>ln_f</c>.
    /// </summary>
    /// <param name="inputEmbeddings">(B, T, W): token embeddings from <see cref="Embed"/>, with anything spliced in.</param>
    /// <param name="positions">Position of each input (B, T), int64; null: <c>past + 0..T−1</c> for every row, where past is
    /// the number of positions already in <paramref name="cache"/>. Random offsets in training teach positions that
    /// longer multimodal sequences reach.</param>
    /// <param name="keyMask">Which positions hold real tokens (B, past + T), bool; null: all. Left-padded prompts mask their
    /// padding here, so that no token attends to it.</param>
    /// <param name="cache">Keys and values of earlier positions, extended with these (generation).</param>
    /// <param name="beforeBlock">Called with (block index, hidden states) before each block; its result replaces the hidden
    /// states (Flamingo's gated cross-attention).</param>
    public Tensor HiddenStates(Tensor inputEmbeddings, Tensor? positions = null, Tensor? keyMask = null, KeyValueCache? cache = null,
        Func<int, Tensor, Tensor>? beforeBlock = null)
    {
        if (inputEmbeddings.dim() != 3 || inputEmbeddings.shape[2] != Config.Width)
            throw new ArgumentException($"GptModel expects input embeddings (B, T, {Config.Width}); got ({string.Join(", ", inputEmbeddings.shape)}).");
        using var scope = NewDisposeScope();
        long batch = inputEmbeddings.shape[0], length = inputEmbeddings.shape[1];
        long past = cache?.Length ?? 0;
        if (positions is null)
        {
            if (past + length > Config.ContextLength)
                throw new ArgumentException($"GptModel: {past + length} positions exceed the context length {Config.ContextLength}.");
            positions = arange(past, past + length, dtype: ScalarType.Int64, device: inputEmbeddings.device).expand(batch, length);
        }
        else if (positions.device_type == DeviceType.CPU   // a value read is free there; on an accelerator it would stall the step
                 && (positions.max().item<long>() >= Config.ContextLength || positions.min().item<long>() < 0))
            throw new ArgumentException($"GptModel: positions must lie in [0, {Config.ContextLength}); got {positions.min().item<long>()}..{positions.max().item<long>()}.");

        var x = drop.forward(wpe is null ? inputEmbeddings : inputEmbeddings.Plus(wpe.forward(positions)));
        var rotary = wpe is null ? positions : null;
        var mask = CausalMask(length, past, keyMask, inputEmbeddings.device);
        var realTokens = keyMask?.narrow(1, past, length);
        for (int i = 0; i < h.Count; i++)
        {
            if (beforeBlock is not null) x = beforeBlock(i, x);
            x = h[i].forward(x, mask, cache?[i], rotary, realTokens);
        }
        return ln_f.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Which key each query may see (bool, true = visible): query i (at absolute position past + i) sees keys 0..past + i,
    /// and only those <paramref name="keyMask"/> marks real. Shape (T, past + T), or (B, 1, T, past + T) with a key mask.
    /// </summary>
    public static Tensor CausalMask(long length, long past, Tensor? keyMask, Device device)
    {
        using var scope = NewDisposeScope();
        var queries = arange(past, past + length, dtype: ScalarType.Int64, device: device).unsqueeze(1);
        var keys = arange(past + length, dtype: ScalarType.Int64, device: device).unsqueeze(0);
        var causal = keys.le(queries);                                   // (T, past + T)
        if (keyMask is null) return causal.MoveToOuterDisposeScope();
        if (keyMask.dtype != ScalarType.Bool || keyMask.dim() != 2 || keyMask.shape[1] != past + length)
            throw new ArgumentException($"GptModel: the key mask must be bool (B, {past + length}); got {keyMask.dtype} ({string.Join(", ", keyMask.shape)}).");
        return causal.unsqueeze(0).unsqueeze(0).logical_and(keyMask.unsqueeze(1).unsqueeze(1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// GPT-2's initialisation: every weight matrix and embedding N(0, 0.02²), biases 0, and the projections that write
    /// into the residual stream (<c>attn.out_proj</c>, <c>mlp.c_proj</c>) scaled by 1/√(2·layers), so the stream's
    /// variance does not grow with depth.
    /// </summary>
    void InitializeLikeGpt2()
    {
        using var noGrad = no_grad();
        double residualStd = 0.02 / Math.Sqrt(2.0 * Math.Max(1, Config.Layers));
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.StartsWith("ln_", StringComparison.Ordinal) || name.Contains(".ln_", StringComparison.Ordinal)) continue;  // LayerNorms keep 1 and 0
            // Canon filters keep PyTorch's convolution initialisation, U(±1/√K): at GPT-2's 0.02 a token would start
            // with almost nothing of its neighbours: the quick model answered 62.7% at step 600, as without Canon layers,
            // where with this initialisation it answered 73.6% (README).
            if (name.Contains(".canon.", StringComparison.Ordinal)) continue;
            if (parameter.dim() == 1) { parameter.zero_(); continue; }
            bool residual = name.EndsWith("attn.out_proj.weight", StringComparison.Ordinal) || name.EndsWith("mlp.c_proj.weight", StringComparison.Ordinal);
            nn.init.normal_(parameter, 0, residual ? residualStd : 0.02);
        }
    }
}
