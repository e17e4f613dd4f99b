namespace Workbench.Models.Language;

/// <summary>
/// Everything that shapes a <see cref="GptModel"/>. Vary it with <c>with</c>, e.g. <c>config with { Layers = 6 }</c>.
/// GPT-2 small is <c>new GptConfig(50257, 1024, 768, 12, 12)</c>.
/// </summary>
/// <param name="VocabularySize">Token ids of the tokenizer.</param>
/// <param name="ContextLength">Most positions (learned position embeddings).</param>
/// <param name="Width">Token width.</param>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="Heads">Attention heads per block; must divide <paramref name="Width"/>.</param>
public sealed record GptConfig(int VocabularySize, int ContextLength = 128, int Width = 128, int Layers = 4, int Heads = 4)
{
    /// <summary>Dropout on embeddings (GPT-2: 0.1; 0 for the tiny models here, which see each sample few times).</summary>
    public double Dropout { get; init; }

    /// <summary>The MLP's non-linearity (GPT-2: GELU's tanh approximation).</summary>
    public Activation Activation { get; init; } = Activation.GeluTanh;

    /// <summary>LayerNorm's epsilon (GPT-2: 1e-5).</summary>
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>
    /// How the model knows where a token stands: GPT-2's learned table (<c>wpe</c>, what GPT-2 checkpoints hold) or
    /// rotary attention (<see cref="RotaryPositions"/>: no table, queries and keys rotated by position).
    /// </summary>
    public PositionEncoding Positions { get; init; } = PositionEncoding.Learned;

    /// <summary>
    /// With K &gt; 0, a <see cref="Models.CanonLayer"/> of kernel K before each block's attention (a short causal convolution that
    /// hands each token its K − 1 predecessors; GPT-2 has none). Left out of JSON when 0.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int Canon { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Canon < 0) throw new ArgumentException($"GptConfig.Canon must not be negative (got {Canon}).");
        if (VocabularySize < 1) throw new ArgumentException($"GptConfig.VocabularySize must be positive (got {VocabularySize}).");
        if (ContextLength < 1) throw new ArgumentException($"GptConfig.ContextLength must be positive (got {ContextLength}).");
        if (Layers < 0) throw new ArgumentException($"GptConfig.Layers must not be negative (got {Layers}).");
        if (Width < 1 || Heads < 1 || Width % Heads != 0)
            throw new ArgumentException($"GptConfig.Width {Width} must be a positive multiple of Heads {Heads}.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"GptConfig.Dropout must lie in [0, 1) (got {Dropout}).");
    }
}

/// <summary>How a <see cref="GptModel"/> encodes positions.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<PositionEncoding>))]
public enum PositionEncoding
{
    /// <summary>A learned table added to the token embeddings (GPT-2's <c>wpe</c>).</summary>
    Learned,
    /// <summary>Rotary embeddings inside every self-attention (RoFormer); no table.</summary>
    Rotary,
}
