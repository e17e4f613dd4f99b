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

    /// <summary>
    /// One forward pass of <see cref="Workbench.Models.Clip.ConvImageEncoder"/> over <paramref name="batch"/> images: each
    /// block's 3×3 convolutions at its input's resolution (the block then halves it), and the flattening linear layer
    /// when the encoder has one. ReLU, pooling and biases are not counted, as nowhere else.
    /// </summary>
    public static double ConvEncoderForward(long batch, int imageSize, int channels, int baseWidth, int blocks, int convsPerBlock, int? flattenWidth)
    {
        double flops = 0;
        long side = imageSize, inputs = channels;
        for (int b = 0; b < blocks; b++)
        {
            long outputs = (long)baseWidth << b;
            for (int c = 0; c < convsPerBlock; c++)
                flops += 2.0 * batch * side * side * 9 * (c == 0 ? inputs : outputs) * outputs;
            inputs = outputs;
            side /= 2;
        }
        return flattenWidth is int features ? flops + Linear(batch, inputs * side * side, features) : flops;
    }

    /// <summary>
    /// One forward pass of CLIP with a <see cref="Workbench.Models.Clip.ConvImageEncoder"/> image tower: the CNN, the text
    /// transformer, both projections and the B×B similarity matrix.
    /// </summary>
    public static double ClipCnnForward(long batch, int imageSize, int channels, int baseWidth, int blocks, int convsPerBlock, int featureWidth,
        int textTokens, int textWidth, int textLayers, int embedDim) =>
        ConvEncoderForward(batch, imageSize, channels, baseWidth, blocks, convsPerBlock, featureWidth)
        + Transformer(batch, textTokens, textWidth, textLayers)
        + Linear(batch, featureWidth, embedDim) + Linear(batch, textWidth, embedDim)
        + Linear(batch, embedDim, batch);

    /// <summary>One forward pass of the GPT language model over (B, T) tokens, the tied LM head included.</summary>
    public static double LanguageModelForward(long batch, long tokens, int width, int layers, int vocabulary) =>
        Transformer(batch, tokens, width, layers) + Linear(batch * tokens, width, vocabulary);

    /// <summary>
    /// A LLaVA stage-2 training step (projector and language model both train, so 3 forward passes' worth): the projector
    /// over <paramref name="imageTokens"/> tokens per image (one Linear, or Linear-GELU-Linear for mlp2x_gelu), then the
    /// language model over the spliced sequence of <paramref name="tokens"/> positions.
    /// </summary>
    public static double LlavaStageTwoStep(long batch, long imageTokens, int featureWidth, bool mlpProjector, long tokens, int width, int layers, int vocabulary)
    {
        double projector = Linear(batch * imageTokens, featureWidth, width) + (mlpProjector ? Linear(batch * imageTokens, width, width) : 0);
        return TrainingStep(projector + LanguageModelForward(batch, tokens, width, layers, vocabulary));
    }

    /// <summary>
    /// One forward pass of the Perceiver resampler over <paramref name="images"/> images of <paramref name="patches"/>
    /// tokens into <paramref name="latents"/> latents of width W. Per layer and image: the latents' queries 2·L·W²,
    /// keys and values over [patches; latents] 4·(P + L)·W², the output 2·L·W², scores and weighted values
    /// 4·L·(P + L)·W, the feed-forward layer 16·L·W² (4 times as wide); plus the input projection when the tower's
    /// width differs.
    /// </summary>
    public static double PerceiverForward(long images, long patches, long latents, int width, int depth, int inputWidth)
    {
        double w = width;
        double layer = 2 * latents * w * w + 4 * (patches + latents) * w * w + 2 * latents * w * w + 4 * latents * (patches + latents) * w + 16 * latents * w * w;
        return (inputWidth == width ? 0 : Linear(images * patches, inputWidth, width)) + depth * images * layer;
    }

    /// <summary>
    /// One forward pass of a gated cross-attention block: (B, T) text positions of width W reading
    /// <paramref name="mediaTokens"/> visual tokens each: queries 2·T·W², keys and values 4·M·W², the output 2·T·W², scores
    /// and weighted values 4·T·M·W, the feed-forward layer 16·T·W².
    /// </summary>
    public static double GatedCrossAttentionForward(long batch, long tokens, long mediaTokens, int width)
    {
        double w = width;
        return batch * (2 * tokens * w * w + 4 * mediaTokens * w * w + 2 * tokens * w * w + 4 * tokens * mediaTokens * w + 16 * tokens * w * w);
    }

    /// <summary>
    /// A Flamingo training step: the resampler and <paramref name="gatedBlocks"/> gated blocks train (3 forward passes'
    /// worth); the frozen language model runs forward and backward for its activations' gradients only, not its weights'
    /// (2 forward passes' worth).
    /// </summary>
    public static double FlamingoStep(long batch, int imagesPerDocument, long patches, int featureWidth, int latents, int depth, int gatedBlocks,
        long tokens, int width, int layers, int vocabulary)
    {
        long images = batch * imagesPerDocument;
        double trained = PerceiverForward(images, patches, latents, width, depth, featureWidth)
                         + gatedBlocks * GatedCrossAttentionForward(batch, tokens, (long)imagesPerDocument * latents, width);
        return TrainingStep(trained) + 2 * LanguageModelForward(batch, tokens, width, layers, vocabulary);
    }
}
