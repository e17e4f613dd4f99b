using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Workbench.Runtime;

namespace Workbench.Models.Clip;

/// <summary>Size and special tokens of a <see cref="TextTransformer"/>.</summary>
/// <param name="VocabularySize">Number of token ids.</param>
/// <param name="EndOfTextId">Id of the end-of-text token whose features summarise the text.</param>
/// <param name="ContextLength">Most tokens per text (the number of learned positions).</param>
/// <param name="Width">Token width.</param>
/// <param name="Layers">Number of transformer blocks.</param>
/// <param name="Heads">Attention heads per block.</param>
/// <param name="PadId">Id of the padding token after the text.</param>
public sealed record TextTransformerConfig(
    int VocabularySize, int EndOfTextId, int ContextLength = 32, int Width = 128, int Layers = 4, int Heads = 4, int PadId = 0)
{
    /// <summary>The MLP's non-linearity: GELU (OpenCLIP's own models), or QuickGELU (OpenAI's CLIP).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Activation Activation { get; init; } = Activation.Gelu;
}

/// <summary>
/// CLIP's text encoder (Radford et al. 2021, §2.4): token embeddings plus learned positions, pre-norm transformer
/// blocks under a causal mask, a final LayerNorm, and the features at the end-of-text token as the text's summary.
/// Parameter names are OpenCLIP's (<c>token_embedding</c>, <c>positional_embedding</c>, <c>transformer.resblocks.N</c>, <c>ln_final</c>).
/// Under the causal mask the end-of-text position has seen the whole text and nothing after it, so padding never matters.
/// </summary>
public sealed class TextTransformer : nn.Module<Tensor, Tensor>
{
    readonly Embedding token_embedding;
    Parameter positional_embedding;
    readonly Transformer transformer;
    readonly LayerNorm ln_final;

    /// <summary>The size this encoder was built with.</summary>
    public TextTransformerConfig Config { get; }

    /// <summary>Width of the feature vector produced per text.</summary>
    public int OutputWidth => Config.Width;

    /// <summary>Creates the encoder with freshly initialised weights (from torch's global generator).</summary>
    public TextTransformer(TextTransformerConfig config) : base(nameof(TextTransformer))
    {
        if (config.VocabularySize <= 0 || config.ContextLength <= 0)
            throw new ArgumentException($"TextTransformer needs a positive vocabulary size and context length; got {config}.");
        foreach (var (name, id) in new[] { ("EndOfTextId", config.EndOfTextId), ("PadId", config.PadId) })
            if (id < 0 || id >= config.VocabularySize)
                throw new ArgumentException($"TextTransformer: {name} {id} is outside the vocabulary [0, {config.VocabularySize}).");
        Config = config;
        token_embedding = nn.Embedding(config.VocabularySize, config.Width);
        positional_embedding = nn.Parameter(zeros(config.ContextLength, config.Width));
        // CLIP's initialisation: small embeddings so the residual stream starts near zero.
        using (no_grad())
        {
            nn.init.normal_(token_embedding.weight!, std: 0.02);
            nn.init.normal_(positional_embedding, std: 0.01);
        }
        transformer = new Transformer(config.Width, config.Layers, config.Heads, activation: config.Activation);
        ln_final = nn.LayerNorm(config.Width);
        RegisterComponents();
    }

    /// <summary>Encodes token ids (B, T) with T ≤ ContextLength into end-of-text features (B, Width).</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var hidden = HiddenStates(tokens);
        var rows = arange(tokens.shape[0], dtype: ScalarType.Int64, device: tokens.device);
        return hidden[rows, EndOfTextPositions(tokens)].MoveToOuterDisposeScope();
    }

    /// <summary>The features of every position after the final LayerNorm, (B, T, Width).</summary>
    public Tensor HiddenStates(Tensor tokens)
    {
        CheckTokens(tokens);
        using var scope = NewDisposeScope();
        long length = tokens.shape[1];
        var x = token_embedding.forward(tokens).Plus(positional_embedding[..(int)length]);
        var mask = CausalMask(length, x.dtype, x.device);
        x = transformer.forward(x, mask);
        return ln_final.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The position pooled in each row (B): the first token equal to <see cref="TextTransformerConfig.EndOfTextId"/>;
    /// in a row without one, the last token that is not <see cref="TextTransformerConfig.PadId"/> (0 if all are padding).
    /// CLIP takes the argmax of the ids because its end-of-text token has the largest id; ours need not.
    /// </summary>
    public Tensor EndOfTextPositions(Tensor tokens)
    {
        CheckTokens(tokens);
        using var scope = NewDisposeScope();
        long length = tokens.shape[1];
        var positions = arange(length, dtype: ScalarType.Int64, device: tokens.device).expand_as(tokens);
        var isEnd = tokens.eq(Config.EndOfTextId);
        var firstEnd = where(isEnd, positions, length).amin(1);
        var lastText = where(tokens.ne(Config.PadId), positions, -1).amax(1).clamp_min(0);
        return where(isEnd.any(1), firstEnd, lastText).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// CLIP's causal mask (T, T): 0 where a query position may attend (itself and earlier positions),
    /// −∞ above the diagonal (later positions).
    /// </summary>
    public static Tensor CausalMask(long length, ScalarType dtype, Device device) =>
        full(length, length, double.NegativeInfinity, dtype: dtype, device: device).triu(1);

    void CheckTokens(Tensor tokens)
    {
        if (tokens.dim() != 2 || tokens.dtype != ScalarType.Int64)
            throw new ArgumentException(
                $"TextTransformer expects int64 token ids shaped (B, T); got {tokens.dtype} ({string.Join(", ", tokens.shape)}).");
        if (tokens.shape[1] > Config.ContextLength)
            throw new ArgumentException(
                $"TextTransformer: texts of {tokens.shape[1]} tokens exceed the context length {Config.ContextLength}.");
    }
}
