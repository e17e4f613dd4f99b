using TorchSharp;
using static TorchSharp.torch;

namespace Workbench.Models.Llava;

/// <summary>
/// Puts an image's N projected tokens where its <c>&lt;image&gt;</c> token stands: a row
/// <c>t₀ … t_{p−1} &lt;image&gt; t_{p+1} … t_{T−1}</c> becomes <c>t₀ … t_{p−1} v₀ … v_{N−1} t_{p+1} … t_{T−1}</c>, of length
/// T − 1 + N for every row, whatever p is, so a batch of prompts of different lengths stays rectangular (padding stays
/// where it was). Done as one gather from <c>[text ; image]</c>, so it is batched and differentiable.
/// </summary>
public static class ImageSplice
{
    /// <summary>The position of each row's single image token (B); throws when a row has none or several.</summary>
    public static Tensor ImagePositions(Tensor ids, int imageTokenId)
    {
        using var scope = NewDisposeScope();
        var isImage = ids.eq(imageTokenId);
        var counts = isImage.sum(1);
        // Checked where reading a value costs nothing (CPU tensors); on an accelerator the read would stall the step.
        if (ids.device_type == DeviceType.CPU && !counts.eq(1).all().item<bool>())
            throw new ArgumentException($"Every sequence needs exactly one image token (id {imageTokenId}); counts per row: {string.Join(", ", counts.cpu().data<long>().ToArray())}.");
        return isImage.to_type(ScalarType.Int64).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// For each output position j (B, T − 1 + N), where it comes from in <c>[text (T) ; image (N)]</c>: text position j
    /// before the image, T + (j − p) inside it, text position j − N + 1 after it.
    /// </summary>
    public static Tensor SourceIndex(Tensor imagePositions, long textLength, long imageTokens)
    {
        using var scope = NewDisposeScope();
        var j = arange(textLength - 1 + imageTokens, dtype: ScalarType.Int64, device: imagePositions.device).unsqueeze(0);
        var p = imagePositions.unsqueeze(1);
        var index = where(j.lt(p), j, where(j.lt(p + imageTokens), textLength + (j - p), j - imageTokens + 1));
        return index.MoveToOuterDisposeScope();
    }

    /// <summary>Splices image tokens (B, N, W) into text embeddings (B, T, W) at each row's image position (B).</summary>
    public static Tensor Splice(Tensor text, Tensor image, Tensor imagePositions)
    {
        using var scope = NewDisposeScope();
        var index = SourceIndex(imagePositions, text.shape[1], image.shape[1]);
        var source = cat([text, image.to_type(text.dtype)], 1);
        var gathered = source.gather(1, index.unsqueeze(-1).expand(-1, -1, text.shape[2]));
        return gathered.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Moves per-token values (B, T) to the spliced layout (B, T − 1 + N): image positions get <paramref name="fill"/>,
    /// except the last, which takes the image token's own value (a next-token target: what follows the image).
    /// </summary>
    public static Tensor SpliceTargets(Tensor values, Tensor imagePositions, long imageTokens, long fill)
    {
        using var scope = NewDisposeScope();
        long length = values.shape[1];
        var index = SourceIndex(imagePositions, length, imageTokens);
        var j = arange(length - 1 + imageTokens, dtype: ScalarType.Int64, device: values.device).unsqueeze(0);
        var lastImage = j.eq(imagePositions.unsqueeze(1) + imageTokens - 1);
        index = where(lastImage, imagePositions.unsqueeze(1).expand_as(index), index);
        var source = cat([values, full(values.shape[0], imageTokens, fill, dtype: values.dtype, device: values.device)], 1);
        return source.gather(1, index).MoveToOuterDisposeScope();
    }
}
