using TorchSharp;
using Workbench.Data.Interleaved;
using Workbench.Training.Language;
using static TorchSharp.torch;

namespace Workbench.Training.Flamingo;

/// <summary>
/// Interleaved documents as Flamingo's tensors: token ids, next-token targets (−100 where a token carries no loss) and
/// the tower features of each row's images (B, M, N, Wv), rows with fewer images padded (the media mask hides padding).
/// </summary>
public static class FlamingoBatch
{
    /// <summary>Right-padded training tensors, cut to <paramref name="maxLength"/> positions.</summary>
    /// <param name="documents">Tokenized documents.</param>
    /// <param name="images">Per document, the feature row of each of its images, in order.</param>
    /// <param name="features">The feature table the rows index.</param>
    /// <param name="padId">Padding id.</param>
    /// <param name="maxLength">The language model's context length.</param>
    /// <param name="device">Where the tensors go.</param>
    public static (Tensor Ids, Tensor Targets, Tensor Features) Training(IReadOnlyList<TokenizedInterleaved> documents,
        IReadOnlyList<int[]> images, FrozenFeatures features, int padId, int maxLength, Device device)
    {
        using var scope = NewDisposeScope();
        var (ids, targets) = TokenSequence.Collate(documents.Select(d => new TokenSequence(d.Ids, d.Supervised)).ToList(), padId, device);
        if (ids.shape[1] > maxLength) (ids, targets) = (ids[.., ..maxLength], targets[.., ..maxLength]);
        var media = Features(images, features, device);
        return (ids.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope(), media.MoveToOuterDisposeScope());
    }

    /// <summary>Each row's image features (M_r, N, Wv) stacked into (B, M, N, Wv), M the most in a row; shorter rows padded with zeros (masked).</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> rows)
    {
        using var scope = NewDisposeScope();
        long most = rows.Max(r => r.shape[0]);
        var padded = rows.Select(r => r.shape[0] == most ? r
            : cat([r, zeros([most - r.shape[0], .. r.shape[1..]], dtype: r.dtype, device: r.device)], 0)).ToArray();
        return stack(padded).MoveToOuterDisposeScope();
    }

    static Tensor Features(IReadOnlyList<int[]> images, FrozenFeatures features, Device device) =>
        Stack(images.Select(r => features.Rows(r, device)).ToList());
}
