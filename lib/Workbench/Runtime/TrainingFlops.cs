namespace Workbench.Runtime;

/// <summary>
/// Floating-point operations of the workbench's models counted from their shapes, for benchmarks (achieved GFLOP/s against
/// the machine's matrix-product ceiling). Only matrix products count (2 FLOPs per multiply-add); element-wise work,
/// softmax and normalisation are left out, as in Kaplan et al. (2020) and the PaLM paper's model-FLOPs. A training step is
/// three forward passes: the backward pass costs two (gradients of the activations and of the weights).
/// </summary>
public static class TrainingFlops
{
    /// <summary>A training step's FLOPs from a forward pass's: forward + backward = 3 × forward.</summary>
    public static double TrainingStep(double forward) => 3 * forward;

    /// <summary>
    /// One forward pass of <paramref name="layers"/> pre-norm blocks over a batch (B, T, W) with an MLP <paramref name="mlpRatio"/>
    /// times as wide: per block q/k/v 6·B·T·W², output 2·B·T·W², MLP 4·r·B·T·W², scores and weighted values 4·B·T²·W
    /// (the full T×T products, as a causal mask is applied after them).
    /// </summary>
    public static double Transformer(long batch, long tokens, long width, int layers, int mlpRatio = 4) =>
        layers * ((8.0 + 4.0 * mlpRatio) * batch * tokens * width * width + 4.0 * batch * tokens * tokens * width);

    /// <summary>A linear layer applied to <paramref name="rows"/> vectors: 2 · rows · in · out.</summary>
    public static double Linear(long rows, long inputs, long outputs) => 2.0 * rows * inputs * outputs;

    /// <summary>
    /// One forward pass of CLIP with a ViT tower over <paramref name="batch"/> pairs: patch embedding, the vision
    /// transformer over patches + class token, the text transformer over <paramref name="textTokens"/> tokens, both
    /// projections and the B×B similarity matrix.
    /// </summary>
    public static double ClipForward(long batch, int imageSize, int patchSize, int channels, int visionWidth, int visionLayers,
        int textTokens, int textWidth, int textLayers, int embedDim)
    {
        long patches = (long)(imageSize / patchSize) * (imageSize / patchSize);
        return Linear(batch * patches, (long)channels * patchSize * patchSize, visionWidth)
            + Transformer(batch, patches + 1, visionWidth, visionLayers)
            + Transformer(batch, textTokens, textWidth, textLayers)
            + Linear(batch, visionWidth, embedDim) + Linear(batch, textWidth, embedDim)
            + Linear(batch, embedDim, batch);
    }

    /// <summary>One forward pass of the GPT language model over (B, T) tokens, the tied LM head included.</summary>
    public static double LanguageModelForward(long batch, long tokens, int width, int layers, int vocabulary) =>
        Transformer(batch, tokens, width, layers) + Linear(batch * tokens, width, vocabulary);
}
