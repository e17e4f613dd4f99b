using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;
using Workbench.Runtime;

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
    /// this is plain InfoNCE. With <paramref name="negatives"/> (NegCLIP, Yuksekgonul et al. 2023), each image's
    /// softmax also runs over those texts, which belong to no image; the texts' softmax over images is unchanged.
    /// </summary>
    /// <param name="imageEmbeddings">Image embeddings (B, D).</param>
    /// <param name="textEmbeddings">Text embeddings (B, D); text i belongs with image i.</param>
    /// <param name="scale">The multiplier of the similarities, <c>exp(logit_scale)</c> (a scalar tensor).</param>
    /// <param name="groups">Optional group id per pair (B); null: every pair is its own group.</param>
    /// <param name="negatives">Optional embeddings (N, D) of texts that describe none of the images (hard negatives).</param>
    /// <returns>The scalar loss.</returns>
    public static Tensor InfoNce(Tensor imageEmbeddings, Tensor textEmbeddings, Tensor scale, Tensor? groups = null, Tensor? negatives = null)
    {
        CheckPairs(imageEmbeddings, textEmbeddings, groups, negatives);
        using var scope = NewDisposeScope();
        long batch = imageEmbeddings.shape[0];
        var logits = scale * imageEmbeddings.matmul(textEmbeddings.t());  // (B, B): row i = image i against every text
        var imageRows = negatives is null ? logits : cat([logits, scale * imageEmbeddings.matmul(negatives.t())], 1);
        Tensor loss;
        if (groups is null)
        {
            var targets = arange(batch, dtype: ScalarType.Int64, device: logits.device);
            loss = stack([cross_entropy(imageRows, targets), cross_entropy(logits.t(), targets)]).mean();
        }
        else
        {
            var same = SameGroup(groups).to_type(logits.dtype);
            var targets = same / same.sum(1, keepdim: true);
            // `same` is symmetric, so the text-to-image direction has the same targets; the negatives' columns get none.
            var imageTargets = negatives is null ? targets : nn.functional.pad(targets, [0, negatives.shape[0]]);
            loss = stack([SoftCrossEntropy(imageRows, imageTargets), SoftCrossEntropy(logits.t(), targets)]).mean();
        }
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// SigLIP's sigmoid loss (Zhai et al. 2023, Alg. 1): every image-text pair is an independent binary
    /// classification, <c>−Σᵢⱼ log σ(zᵢⱼ (t · xᵢ·yⱼ + b)) / B</c> with <c>zᵢⱼ = +1</c> for positives
    /// (i = j, or the same group) and −1 otherwise. Each of the <paramref name="negatives"/> is one more text that is a
    /// negative for every image.
    /// </summary>
    /// <param name="imageEmbeddings">Image embeddings (B, D).</param>
    /// <param name="textEmbeddings">Text embeddings (B, D); text i belongs with image i.</param>
    /// <param name="scale">The temperature t = exp(t′) (a scalar tensor).</param>
    /// <param name="bias">The bias b (a scalar tensor); SigLIP starts it at −10 so the many negatives start with a small loss.</param>
    /// <param name="groups">Optional group id per pair (B); null: only i = j are positives.</param>
    /// <param name="negatives">Optional embeddings (N, D) of texts that describe none of the images.</param>
    /// <returns>The scalar loss: summed over texts, averaged over images.</returns>
    public static Tensor Sigmoid(Tensor imageEmbeddings, Tensor textEmbeddings, Tensor scale, Tensor bias, Tensor? groups = null, Tensor? negatives = null)
    {
        CheckPairs(imageEmbeddings, textEmbeddings, groups, negatives);
        using var scope = NewDisposeScope();
        long batch = imageEmbeddings.shape[0];
        var texts = negatives is null ? textEmbeddings : cat([textEmbeddings, negatives], 0);
        var logits = (scale * imageEmbeddings.matmul(texts.t())).Plus(bias);
        var positives = groups is null
            ? eye(batch, dtype: logits.dtype, device: logits.device)
            : SameGroup(groups).to_type(logits.dtype);
        if (negatives is not null) positives = nn.functional.pad(positives, [0, negatives.shape[0]]);
        var labels = 2 * positives - 1;
        var loss = -logsigmoid(labels * logits).sum() / batch;
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>The (B, B) boolean matrix of pairs that share a group: <c>groups[i] == groups[j]</c>.</summary>
    public static Tensor SameGroup(Tensor groups) => groups.unsqueeze(1).eq(groups.unsqueeze(0));

    /// <summary>Cross-entropy against a probability distribution per row, averaged over rows.</summary>
    static Tensor SoftCrossEntropy(Tensor logits, Tensor targets) =>
        -(targets * log_softmax(logits, 1)).sum(1).mean();

    static void CheckPairs(Tensor images, Tensor texts, Tensor? groups, Tensor? negatives)
    {
        if (negatives is not null && (negatives.dim() != 2 || negatives.shape[1] != texts.shape[1]))
            throw new ArgumentException(
                $"Hard negatives need the texts' embedding width ({texts.shape[1]}), as (N, D); got ({string.Join(", ", negatives.shape)}).");
        if (images.dim() != 2 || texts.dim() != 2 || images.shape[0] != texts.shape[0] || images.shape[1] != texts.shape[1])
            throw new ArgumentException(
                $"Contrastive losses need image and text embeddings of the same shape (B, D); got " +
                $"({string.Join(", ", images.shape)}) and ({string.Join(", ", texts.shape)}).");
        if (groups is not null && (groups.dim() != 1 || groups.shape[0] != images.shape[0]))
            throw new ArgumentException(
                $"Contrastive losses need one group id per pair ({images.shape[0]}); got shape ({string.Join(", ", groups.shape)}).");
    }
}
