using Workbench.Models.Llava;
using Workbench.Training.Language;
using static TorchSharp.torch;

namespace Workbench.Teaching;

/// <summary>
/// Notebook 04's exercises: the splice of projected image tokens at <c>&lt;image&gt;</c>, checked against
/// <see cref="ImageSplice.Splice"/>, and the loss mask of the spliced sequence, checked against
/// <see cref="ImageSplice.SpliceTargets"/>.
/// </summary>
public static class LlavaExercises
{
    /// <summary>The splice: <c>Tensor Splice(Tensor text, Tensor image, Tensor imagePositions)</c>.</summary>
    public static ExerciseDefinition Splice { get; } = new ExerciseDefinition<Func<Tensor, Tensor, Tensor, Tensor>>(
        "llava-splice", "Splice the projected image tokens in at <image>", "04-llava",
        "Tensor (Tensor text, Tensor image, Tensor imagePositions): text embeddings (B, T, W), image tokens (B, N, W) and each row's <image> position (B) to (B, T - 1 + N, W)",
        SpliceInputs);

    /// <summary>The loss mask: <c>Tensor SpliceTargets(Tensor targets, Tensor imagePositions, long imageTokens)</c>.</summary>
    public static ExerciseDefinition LossMask { get; } = new ExerciseDefinition<Func<Tensor, Tensor, long, Tensor>>(
        "llava-loss-mask", "Next-token targets of the spliced sequence: the loss mask", "04-llava",
        "Tensor (Tensor targets, Tensor imagePositions, long imageTokens): next-token targets (B, T), -100 where no loss, each row's <image> position (B) and N to targets (B, T - 1 + N)",
        LossMaskInputs);

    static IReadOnlyList<ExerciseInput<Func<Tensor, Tensor, Tensor, Tensor>>> SpliceInputs()
    {
        var random = new Generator(2023);
        // Text token t of row b is the vector (10b + t + 1, ...), image token n is -(10b + n + 1): the report names them t0, v0.
        Tensor Text(long rows, long length, long width) =>
            (arange(rows).reshape(rows, 1, 1) * 10 + arange(length).reshape(1, length, 1) + 1).expand(rows, length, width).to_type(ScalarType.Float32).contiguous();
        Tensor Image(long rows, long tokens, long width) => -Text(rows, tokens, width);
        ExerciseInput<Func<Tensor, Tensor, Tensor, Tensor>> Input(string what, Tensor text, Tensor image, long[] positions, string hint)
        {
            var at = tensor(positions);
            return new($"{what}: text (B, T, W) = ({string.Join(", ", text.shape)}) with tokens t0 t1 ..., image (B, N, W) = ({string.Join(", ", image.shape)}) " +
                       $"with tokens v0 v1 ..., <image> at {ExerciseValues.Describe(at)}",
                hint, attendee => Comparison.OfTensors(ImageSplice.Splice(text, image, at), attendee(text, image, at), 1e-6, t => Layout(t, text, image)));
        }
        return
        [
            Input("two prompts of 6 tokens, 3 image tokens", Text(2, 6, 2), Image(2, 3, 2), [1, 3],
                "Each row's image tokens go where that row's <image> stands; <image> itself is replaced, so every row grows by N - 1."),
            Input("<image> first", Text(1, 5, 2), Image(1, 3, 2), [0],
                "With <image> at position 0 nothing comes before the image tokens."),
            Input("<image> last", Text(2, 5, 2), Image(2, 2, 2), [4, 4],
                "Everything before <image> keeps its place; nothing follows the image tokens."),
            Input("one image token (N = 1)", Text(2, 4, 3), Image(2, 1, 3), [2, 1],
                "With N = 1 the image token takes <image>'s place and the length stays T."),
            Input("4 random rows (T = 10, N = 5, W = 8)", randn(4, 10, 8, generator: random), randn(4, 5, 8, generator: random), [7, 0, 9, 3],
                "Rows of a batch put <image> in different places; each row uses its own position."),
        ];
    }

    static IReadOnlyList<ExerciseInput<Func<Tensor, Tensor, long, Tensor>>> LossMaskInputs()
    {
        const long x = TokenSequence.IgnoreIndex;
        var random = new Generator(7);
        ExerciseInput<Func<Tensor, Tensor, long, Tensor>> Input(string what, Tensor values, long[] positions, long imageTokens, string hint)
        {
            var at = tensor(positions);
            return new($"{what}: targets {ExerciseValues.Describe(values)} (-100: no loss), <image> at {ExerciseValues.Describe(at)}, N = {imageTokens}",
                hint, attendee => Comparison.OfTensors(ImageSplice.SpliceTargets(values, at, imageTokens, x), attendee(values, at, imageTokens), 0));
        }
        var randomTargets = randint(20, 40, [3, 9], generator: random).to_type(ScalarType.Int64);
        randomTargets[1, 6..] = tensor(x);
        return
        [
            Input("one row, <image> at 1, 3 image tokens", tensor(new long[,] { { x, 7, x, 21, 22, 23 } }), [1], 3,
                "The target at a position is the token that comes next. The image slots come from no text; which token comes after the last of them?"),
            Input("<image> first, and a padded row", tensor(new long[,] { { 5, 11, 12, 13, 14 }, { x, 6, 15, x, x } }), [0, 1], 2,
                "Padding (-100 at the end of a short row) stays -100 and stays at the end."),
            Input("<image> last", tensor(new long[,] { { 31, 32, 33, 9 } }), [3], 2,
                "The tokens before <image> keep their targets and places."),
            Input("one image token (N = 1)", tensor(new long[,] { { 41, 42, 8, 43 }, { 8, 44, 45, 46 } }), [2, 0], 1,
                "With N = 1 the single image slot stands where <image> stood."),
            Input("3 random rows (T = 9, N = 4)", randomTargets, [2, 5, 8], 4,
                "Each row uses its own <image> position."),
        ];
    }

    /// <summary>A spliced batch as token names, row by row: "t0 v0 v1 t2", each vector named by where it came from.</summary>
    static string Layout(Tensor sequence, Tensor text, Tensor image)
    {
        if (sequence.dim() != 3 || sequence.shape[0] != text.shape[0] || sequence.shape[2] != text.shape[2])
            return ExerciseValues.Describe(sequence);
        var rows = new List<string>();
        for (long b = 0; b < sequence.shape[0]; b++)
        {
            var names = new List<string>();
            for (long j = 0; j < sequence.shape[1]; j++)
            {
                var v = sequence[b, j];
                string name = "?";
                for (long t = 0; t < text.shape[1] && name == "?"; t++) if (v.allclose(text[b, t], 0, 1e-6)) name = $"t{t}";
                for (long n = 0; n < image.shape[1] && name == "?"; n++) if (v.allclose(image[b, n].to_type(v.dtype), 0, 1e-6)) name = $"v{n}";
                names.Add(name);
            }
            rows.Add($"row {b}: {string.Join(' ', names)}");
        }
        return $"({string.Join(", ", sequence.shape)}) " + string.Join("; ", rows);
    }
}
