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
/// <param name="Negatives">With hard negatives: each pair's caption with two objects' kinds swapped (<see cref="HardNegatives"/>), tokenised alike.</param>
public sealed record ImageTextBatch(float[] Images, int Count, int Height, int Width, TokenBatch Tokens, long[] Groups, int[] Labels,
    string[] Captions, string[] Ids, TokenBatch? Negatives = null)
{
    /// <summary>
    /// A collate function for <see cref="DataLoader{TBatch}"/>: picks one of each sample's captions (seeded by the batch
    /// number, so a resumed run picks the same), tokenises with begin and end tokens to <paramref name="contextLength"/>,
    /// and normalises the pixels. With <paramref name="hardNegatives"/>, also each caption's hard negative in the same wording.
    /// </summary>
    public static Func<IReadOnlyList<Sample>, long, ImageTextBatch> Collator(ITextTokenizer tokenizer, int contextLength,
        ImageNormalization normalization, int seed, bool randomCaption = true, ISceneLanguage? hardNegatives = null) => (samples, batch) =>
    {
        int n = samples.Count, h = samples[0].Image.Height, w = samples[0].Image.Width;
        var images = new float[n * 3 * h * w];
        var captions = new string[n];
        var negatives = hardNegatives is null ? null : new string[n];
        var random = new Random(StableHash.Combine(seed, batch, 0xCA97));
        var negativeRandom = new Random(StableHash.Combine(seed, batch, 0x4E6));
        for (int i = 0; i < n; i++)
        {
            var sample = samples[i];
            if (sample.Image.Height != h || sample.Image.Width != w)
                throw new InvalidDataException($"{sample.Id} is {sample.Image.Width}x{sample.Image.Height}; the batch's first image is {w}x{h}.");
            ImagePreprocessing.WriteChw(sample.Image, normalization, images.AsSpan(i * 3 * h * w, 3 * h * w));
            int paraphrase = randomCaption ? random.Next(sample.Captions.Count) : 0;
            captions[i] = sample.Captions[paraphrase];
            if (negatives is not null) negatives[i] = HardNegatives.Caption(hardNegatives!, sample, paraphrase, negativeRandom).Caption;
        }
        var first = new Dictionary<string, long>();
        var groups = captions.Select((c, i) => first.TryAdd(c, i) ? i : first[c]).ToArray();
        return new ImageTextBatch(images, n, h, w, tokenizer.EncodeBatch(captions, contextLength, addBegin: true, addEnd: true),
            groups, samples.Select(s => s.Label).ToArray(), captions, samples.Select(s => s.Id).ToArray(),
            negatives is null ? null : tokenizer.EncodeBatch(negatives, contextLength, addBegin: true, addEnd: true));
    };

    /// <summary>Images (B,3,H,W), tokens (B,T) and groups (B) on a device, in the caller's dispose scope.</summary>
    public (Tensor Images, Tensor Tokens, Tensor Groups) ToDevice(Device device) =>
        (tensor(Images, [Count, 3, Height, Width]).to(device),
         tensor(Tokens.Ids, [Tokens.Rows, Tokens.Length]).to(device),
         tensor(Groups).to(device));

    /// <summary>The hard negatives' tokens (B, T) on a device, or null when the batch has none.</summary>
    public Tensor? NegativesToDevice(Device device) =>
        Negatives is null ? null : tensor(Negatives.Ids, [Negatives.Rows, Negatives.Length]).to(device);
}
