using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Workbench.Models.Clip;

/// <summary>The objective a <see cref="ClipModel"/> trains with.</summary>
public enum ContrastiveLossKind
{
    /// <summary>CLIP's symmetric softmax cross-entropy over the batch (<see cref="ContrastiveLoss.InfoNce"/>).</summary>
    InfoNce,
    /// <summary>SigLIP's pairwise sigmoid loss (<see cref="ContrastiveLoss.Sigmoid"/>).</summary>
    Sigmoid,
}

/// <summary>
/// Contrastive losses between a batch of image embeddings and a batch of text embeddings, where image i and text i
/// form a pair. Embeddings are expected L2-normalised, so their dot products are cosine similarities.
/// <para>
/// Optional <c>groups</c> (B) mark pairs that share content (the same caption, or the same class): pairs in one
/// group are positives for each other instead of false negatives.
/// </para>
/// </summary>
public static class ContrastiveLoss
{
    /// <summary>
    /// Symmetric InfoNCE (CLIP, Radford et al. 2021, Fig. 3): <c>logits = scale · images · textsᵀ</c>;
    /// the mean of the cross-entropy of each image over all texts and of each text over all images.
    /// With <paramref name="groups"/>, the targets are soft: each row spreads its probability evenly over the
    /// members of its group (the multi-positive InfoNCE of SupCon, Khosla et al. 2020); with all groups distinct
    /// this is plain InfoNCE.
    /// </summary>
    /// <param name="imageEmbeddings">Image embeddings (B, D).</param>
    /// <param name="textEmbeddings">Text embeddings (B, D); text i belongs with image i.</param>
    /// <param name="scale">The multiplier of the similarities, <c>exp(logit_scale)</c> (a scalar tensor).</param>
    /// <param name="groups">Optional group id per pair (B); null: every pair is its own group.</param>
    /// <returns>The scalar loss.</returns>
    public static Tensor InfoNce(Tensor imageEmbeddings, Tensor textEmbeddings, Tensor scale, Tensor? groups = null)
    {
        CheckPairs(imageEmbeddings, textEmbeddings, groups);
        using var scope = NewDisposeScope();
        var logits = scale * imageEmbeddings.matmul(textEmbeddings.t());  // (B, B): row i = image i against every text
        Tensor loss;
        if (groups is null)
        {
            var targets = arange(logits.shape[0], dtype: ScalarType.Int64, device: logits.device);
            loss = (cross_entropy(logits, targets) + cross_entropy(logits.t(), targets)) / 2;
        }
        else
        {
            var same = SameGroup(groups).to_type(logits.dtype);
            var targets = same / same.sum(1, keepdim: true);
            // `same` is symmetric, so the text-to-image direction has the same targets.
            loss = (SoftCrossEntropy(logits, targets) + SoftCrossEntropy(logits.t(), targets)) / 2;
        }
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// SigLIP's sigmoid loss (Zhai et al. 2023, Alg. 1): every image-text pair is an independent binary
    /// classification, <c>−Σᵢⱼ log σ(zᵢⱼ (t · xᵢ·yⱼ + b)) / B</c> with <c>zᵢⱼ = +1</c> for positives
    /// (i = j, or the same group) and −1 otherwise.
    /// </summary>
    /// <param name="imageEmbeddings">Image embeddings (B, D).</param>
    /// <param name="textEmbeddings">Text embeddings (B, D); text i belongs with image i.</param>
    /// <param name="scale">The temperature t = exp(t′) (a scalar tensor).</param>
    /// <param name="bias">The bias b (a scalar tensor); SigLIP starts it at −10 so the many negatives start with a small loss.</param>
    /// <param name="groups">Optional group id per pair (B); null: only i = j are positives.</param>
    /// <returns>The scalar loss: summed over texts, averaged over images.</returns>
    public static Tensor Sigmoid(Tensor imageEmbeddings, Tensor textEmbeddings, Tensor scale, Tensor bias, Tensor? groups = null)
    {
        CheckPairs(imageEmbeddings, textEmbeddings, groups);
        using var scope = NewDisposeScope();
        long batch = imageEmbeddings.shape[0];
        var logits = scale * imageEmbeddings.matmul(textEmbeddings.t()) + bias;
        var positives = groups is null
            ? eye(batch, dtype: logits.dtype, device: logits.device)
            : SameGroup(groups).to_type(logits.dtype);
        var labels = 2 * positives - 1;
        var loss = -logsigmoid(labels * logits).sum() / batch;
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>The (B, B) boolean matrix of pairs that share a group: <c>groups[i] == groups[j]</c>.</summary>
    public static Tensor SameGroup(Tensor groups) => groups.unsqueeze(1).eq(groups.unsqueeze(0));

    /// <summary>Cross-entropy against a probability distribution per row, averaged over rows.</summary>
    static Tensor SoftCrossEntropy(Tensor logits, Tensor targets) =>
        -(targets * log_softmax(logits, 1)).sum(1).mean();

    static void CheckPairs(Tensor images, Tensor texts, Tensor? groups)
    {
        if (images.dim() != 2 || texts.dim() != 2 || images.shape[0] != texts.shape[0] || images.shape[1] != texts.shape[1])
            throw new ArgumentException(
                $"Contrastive losses need image and text embeddings of the same shape (B, D); got " +
                $"({string.Join(", ", images.shape)}) and ({string.Join(", ", texts.shape)}).");
        if (groups is not null && (groups.dim() != 1 || groups.shape[0] != images.shape[0]))
            throw new ArgumentException(
                $"Contrastive losses need one group id per pair ({images.shape[0]}); got shape ({string.Join(", ", groups.shape)}).");
    }
}
