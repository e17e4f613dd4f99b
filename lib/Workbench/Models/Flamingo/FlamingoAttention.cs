using static TorchSharp.torch;

namespace Workbench.Models.Flamingo;

/// <summary>
/// Where one text token looked in its image, as one weight per tower patch (see <see cref="FlamingoAttention.Map"/>).
/// </summary>
/// <param name="Position">The token's position in the sequence.</param>
/// <param name="Block">The language-model block whose gated cross-attention was read.</param>
/// <param name="Image">The token's most recent image: the only one it can attend to.</param>
/// <param name="Latents">The token's attention over that image's visual tokens (the resampler's latents), heads averaged; sums to 1.</param>
/// <param name="Patches">One weight per tower patch, in the tower's token order (rows of its grid); sums to 1.</param>
public sealed record FlamingoAttentionMap(int Position, int Block, int Image, IReadOnlyList<double> Latents, IReadOnlyList<double> Patches);

/// <summary>
/// Cross-attention maps of a Flamingo model, from a text token back to image regions. The token reads the resampler's
/// latents, not the patches, so the map composes two attentions, each averaged over heads: the token's weights over
/// its image's latents in a gated cross-attention block, times each latent's weights over the patches in the
/// resampler's last layer (the feature part of its [features ; latents] context), renormalised over the patches.
/// It is a picture of where the attention flows, not an attribution: the resampler's earlier layers and the latents'
/// reading of each other are left out.
/// </summary>
public static class FlamingoAttention
{
    /// <summary>The attention map of the token at <paramref name="position"/> of one sequence.</summary>
    /// <param name="model">The model.</param>
    /// <param name="ids">The sequence's token ids (T), with an image token where each image stands.</param>
    /// <param name="features">The tower features of the sequence's images (M, N, Wv), in the order of their image tokens.</param>
    /// <param name="position">The token whose attention is drawn (for an answer, the position that predicts it).</param>
    /// <param name="block">The language-model block whose gated cross-attention is read; null: the last that has one.</param>
    public static FlamingoAttentionMap Map(FlamingoModel model, Tensor ids, Tensor features, int position, int? block = null)
    {
        if (ids.dim() != 1) throw new ArgumentException($"FlamingoAttention.Map expects the ids of one sequence (T); got ({string.Join(", ", ids.shape)}).");
        if (features.dim() != 3) throw new ArgumentException($"FlamingoAttention.Map expects one sequence's image features (M, N, Wv); got ({string.Join(", ", features.shape)}).");
        if (position < 0 || position >= ids.shape[0]) throw new ArgumentOutOfRangeException(nameof(position), $"position {position} is outside the {ids.shape[0]} tokens.");
        var layers = model.CrossAttentionLayers;
        int chosen = block ?? layers[^1].Block;
        var layer = layers.FirstOrDefault(l => l.Block == chosen).Layer
            ?? throw new ArgumentException($"FlamingoAttention.Map: no gated cross-attention before block {chosen} (they stand before blocks {string.Join(", ", layers.Select(l => l.Block))}).");

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var row = ids.unsqueeze(0);
        var recent = model.MostRecentImage(row);
        int image = (int)recent[0, position].item<long>();
        if (image < 0) throw new ArgumentException($"FlamingoAttention.Map: no image comes before token {position}, so it attends to nothing.");

        // The hidden states entering the chosen gated block: recorded by a hook that then runs the model's own.
        var media = model.Media(features.unsqueeze(0));
        var crossAttention = model.CrossAttention(media, recent);
        Tensor? entering = null;
        model.LanguageModel.HiddenStates(model.Embed(row), beforeBlock: (i, hidden) =>
        {
            if (i == chosen) entering = hidden.detach().clone().DetachFromDisposeScope();   // outlives the language model's scope
            return crossAttention(i, hidden);
        });
        using var enteringOwned = entering!;
        var (mask, _) = model.MediaMask(recent, media.shape[1]);
        var toLatents = layer.Attention.AttentionWeights(layer.Queries(enteringOwned), media, mask)   // (1, H, T, M·K)
            .mean([1])[0, position].narrow(0, image * model.Latents, model.Latents);            // (K)

        // Each latent's weights over the patches of that image in the resampler's last layer (the patch columns only).
        var perLatent = model.Resampler.LastLayerAttention(features[image].unsqueeze(0)).mean([1])[0];   // (K, N + K)
        long patches = features.shape[1];
        var composed = toLatents.matmul(perLatent.narrow(1, 0, patches));                              // (N)
        composed = composed / composed.sum();
        return new FlamingoAttentionMap(position, chosen, image, Values(toLatents), Values(composed));
    }

    static double[] Values(Tensor t) => t.cpu().to_type(ScalarType.Float64).data<double>().ToArray();
}
