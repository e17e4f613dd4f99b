using Workbench.Models.Flamingo;
using static TorchSharp.torch;

namespace Workbench.Teaching;

/// <summary>
/// Notebook 05's exercises: the media mask (each text token sees only its most recent image), checked against
/// <see cref="FlamingoModel.MostRecentImage(Tensor, long)"/> and <see cref="FlamingoModel.MediaMask(Tensor, long, int)"/>,
/// and the tanh-gated residual, checked against a <see cref="GatedCrossAttentionBlock"/> whose gate is set to α.
/// </summary>
public static class FlamingoExercises
{
    /// <summary>The media mask: <c>Tensor MediaMask(Tensor ids, long imageId, long images)</c>.</summary>
    public static ExerciseDefinition MediaMask { get; } = new ExerciseDefinition<Func<Tensor, long, long, Tensor>>(
        "flamingo-media-mask", "The media mask: each token sees only its most recent image", "05-flamingo",
        "Tensor (Tensor ids, long imageId, long images): token ids (B, T), the <image> id and M, the most images in a row, to a bool mask (B, T, M), true where image m is token t's most recent image",
        MediaMaskInputs);

    /// <summary>The gated residual: <c>Tensor GatedResidual(Tensor x, Tensor y, Tensor alpha)</c>.</summary>
    public static ExerciseDefinition TanhGate { get; } = new ExerciseDefinition<Func<Tensor, Tensor, Tensor, Tensor>>(
        "flamingo-tanh-gate", "The tanh-gated residual", "05-flamingo",
        "Tensor (Tensor x, Tensor y, Tensor alpha): the residual stream x (B, T, W), what the cross-attention made of it y (B, T, W) and the gate's α (1) to the new residual stream (B, T, W)",
        TanhGateInputs);

    static IReadOnlyList<ExerciseInput<Func<Tensor, long, long, Tensor>>> MediaMaskInputs()
    {
        const long bos = 1, pad = 0, image = 3, eoc = 4;
        var random = new Generator(2022);
        ExerciseInput<Func<Tensor, long, long, Tensor>> Input(string what, long[,] ids, long images, string hint)
        {
            var t = tensor(ids);
            return new($"{what}: ids {ExerciseValues.Describe(t)} (<image> = {image}, <bos> = {bos}, <eoc> = {eoc}, <pad> = {pad}), M = {images}",
                hint, attendee => Compare(Reference(t, image, images), attendee(t, image, images)));
        }
        var randomIds = randint(5, 12, [3, 14], generator: random).to_type(ScalarType.Int64);
        foreach (var (row, at) in new[] { (0, 2), (0, 7), (1, 0), (1, 5), (1, 6), (1, 12), (2, 9) }) randomIds[row, at] = tensor(image);
        return
        [
            Input("the notebook's document", new long[,] { { bos, image, 7, 8, eoc, image, 9, 10, eoc } }, 2,
                "Count the image tokens up to and including each position: that count minus 1 is the token's most recent image."),
            Input("text before the first image", new long[,] { { bos, 5, 6, image, 7, eoc } }, 1,
                "A token that no image precedes sees no image at all: its row of the mask is all false."),
            Input("two images in a row", new long[,] { { bos, image, image, 7, 8, eoc } }, 2,
                "The first <image> is followed at once by the second: from there on, tokens see the second image only."),
            Input("a padded row beside a longer one", new long[,] { { bos, image, 7, eoc, image, 8, eoc }, { bos, image, 9, eoc, pad, pad, pad } }, 2,
                "Each row counts its own images; padding is no image, and a row with fewer images never sees the images that are not there."),
            Input("the image token itself", new long[,] { { image, 5, 6 } }, 1,
                "The <image> token belongs to its own image, as in OpenFlamingo: it is at or before itself."),
            Input("3 random rows (T = 14)", Values(randomIds), 4,
                "Rows of a batch are independent: count each row's image tokens separately."),
        ];
    }

    /// <summary>The library's mask, one visual token per image (latents = 1): (B, T, M).</summary>
    static Tensor Reference(Tensor ids, long imageId, long images) =>
        FlamingoModel.MediaMask(FlamingoModel.MostRecentImage(ids, imageId), images, latents: 1).Mask.squeeze(1);

    /// <summary>The same mask, as a bool tensor (the attention's masked softmax reads true as "may see").</summary>
    static Comparison Compare(Tensor expected, Tensor actual) => actual.dtype == ScalarType.Bool
        ? Comparison.OfTensors(expected, actual, 0, DescribeMask)
        : new Comparison(false, DescribeMask(expected), $"a {actual.dtype} tensor, not a bool mask (use eq, ge... or to_type(ScalarType.Bool)): {ExerciseValues.Describe(actual)}");

    /// <summary>A mask as the image each token sees, row by row: "row 0: - 0 0 1 1" (- for none, several joined by +).</summary>
    static string DescribeMask(Tensor mask)
    {
        if (mask.dim() != 3 || mask.dtype != ScalarType.Bool) return ExerciseValues.Describe(mask);
        var rows = new List<string>();
        for (long b = 0; b < mask.shape[0]; b++)
        {
            var tokens = new List<string>();
            for (long t = 0; t < mask.shape[1]; t++)
            {
                var seen = Enumerable.Range(0, (int)mask.shape[2]).Where(m => mask[b, t, m].item<bool>()).ToList();
                tokens.Add(seen.Count == 0 ? "-" : string.Join("+", seen));
            }
            rows.Add($"row {b}: {string.Join(' ', tokens)}");
        }
        return $"({string.Join(", ", mask.shape)}), the image each token sees: " + string.Join("; ", rows);
    }

    static long[,] Values(Tensor t)
    {
        var values = new long[t.shape[0], t.shape[1]];
        for (int i = 0; i < t.shape[0]; i++)
            for (int j = 0; j < t.shape[1]; j++) values[i, j] = t[i, j].item<long>();
        return values;
    }

    static IReadOnlyList<ExerciseInput<Func<Tensor, Tensor, Tensor, Tensor>>> TanhGateInputs()
    {
        var random = new Generator(1957);
        ExerciseInput<Func<Tensor, Tensor, Tensor, Tensor>> Input(string what, Tensor x, Tensor y, double alpha, string hint)
        {
            var a = tensor(new[] { (float)alpha });
            return new($"{what}: α = {ExerciseValues.Number(alpha)}; x {ExerciseValues.Describe(x, 12)}; y {ExerciseValues.Describe(y, 12)}",
                hint, attendee => Comparison.OfTensors(Reference(x, y, alpha), attendee(x, y, a), 1e-5, t => ExerciseValues.Describe(t, 12)));
        }
        Tensor Random(params long[] shape) => randn(shape, generator: random);
        return
        [
            Input("gate closed (α = 0)", Random(1, 3, 4), Random(1, 3, 4), 0,
                "At α = 0 the block must leave the language model exactly as it was: what it adds is multiplied by tanh(0) = 0."),
            Input("gate half open", Random(2, 3, 4), Random(2, 3, 4), 0.5,
                "The gate scales what the cross-attention adds by tanh(α), and the result is added to x: the residual stream goes on."),
            Input("gate far open", Random(1, 2, 4), Random(1, 2, 4), 5,
                "tanh saturates: a large α adds y almost exactly once, never 5 times."),
            Input("a negative gate", Random(1, 2, 4), Random(1, 2, 4), -0.8,
                "tanh keeps α's sign: a negative gate subtracts."),
            Input("a token with no image (y = 0 there)", Random(1, 3, 4), cat([zeros(1, 1, 4), Random(1, 2, 4)], 1), 1.2,
                "A token before any image receives zero from the cross-attention, so it must come out as it went in."),
        ];
    }

    /// <summary>x + g·y with g the cross-attention gate a <see cref="GatedCrossAttentionBlock"/> reports when its α is set to <paramref name="alpha"/>.</summary>
    static Tensor Reference(Tensor x, Tensor y, double alpha)
    {
        using var block = new GatedCrossAttentionBlock(width: 2, heads: 1);
        using (no_grad()) block.GateParameters.First().fill_(alpha);
        return x + block.Gates.Attention * y;
    }
}
