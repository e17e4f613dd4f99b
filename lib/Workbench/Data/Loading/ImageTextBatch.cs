using TorchSharp;
using Workbench.Data.Files;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Data.Loading;

/// <summary>
/// A batch of image-text pairs as plain arrays, built on a loader thread: normalised CHW pixels, caption tokens,
/// and for each pair a <em>group</em> — pairs whose captions are identical share one, so a contrastive loss treats
/// them as positives of each other. <see cref="ToDevice"/> turns it into tensors on the training thread.
/// </summary>
/// <param name="Images">Pixels, (Count, 3, Height, Width) row-major, normalised.</param>
/// <param name="Count">Pairs in the batch.</param>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Tokens">The chosen caption of each pair, tokenised to a fixed length.</param>
/// <param name="Groups">Per pair, the position of the first pair in the batch with the same caption.</param>
/// <param name="Labels">Class labels (-1 where the source has none).</param>
/// <param name="Captions">The chosen captions.</param>
/// <param name="Ids">The samples' ids.</param>
public sealed record ImageTextBatch(float[] Images, int Count, int Height, int Width, TokenBatch Tokens, long[] Groups, int[] Labels,
    string[] Captions, string[] Ids)
{
    /// <summary>
    /// A collate function for <see cref="DataLoader{TBatch}"/>: picks one of each sample's captions (seeded by the batch
    /// number, so a resumed run picks the same), tokenises with begin and end tokens to <paramref name="contextLength"/>,
    /// and normalises the pixels.
    /// </summary>
    public static Func<IReadOnlyList<Sample>, long, ImageTextBatch> Collator(ITextTokenizer tokenizer, int contextLength,
        ImageNormalization normalization, int seed, bool randomCaption = true) => (samples, batch) =>
    {
        int n = samples.Count, h = samples[0].Image.Height, w = samples[0].Image.Width;
        var images = new float[n * 3 * h * w];
        var captions = new string[n];
        var random = new Random(StableHash.Combine(seed, batch, 0xCA97));
        for (int i = 0; i < n; i++)
        {
            var sample = samples[i];
            if (sample.Image.Height != h || sample.Image.Width != w)
                throw new InvalidDataException($"{sample.Id} is {sample.Image.Width}x{sample.Image.Height}; the batch's first image is {w}x{h}.");
            ImagePreprocessing.WriteChw(sample.Image, normalization, images.AsSpan(i * 3 * h * w, 3 * h * w));
            captions[i] = randomCaption ? sample.Captions[random.Next(sample.Captions.Count)] : sample.Captions[0];
        }
        var first = new Dictionary<string, long>();
        var groups = captions.Select((c, i) => first.TryAdd(c, i) ? i : first[c]).ToArray();
        return new ImageTextBatch(images, n, h, w, tokenizer.EncodeBatch(captions, contextLength, addBegin: true, addEnd: true),
            groups, samples.Select(s => s.Label).ToArray(), captions, samples.Select(s => s.Id).ToArray());
    };

    /// <summary>Images (B,3,H,W), tokens (B,T) and groups (B) on a device, in the caller's dispose scope.</summary>
    public (Tensor Images, Tensor Tokens, Tensor Groups) ToDevice(Device device) =>
        (tensor(Images, [Count, 3, Height, Width]).to(device),
         tensor(Tokens.Ids, [Tokens.Rows, Tokens.Length]).to(device),
         tensor(Groups).to(device));
}
