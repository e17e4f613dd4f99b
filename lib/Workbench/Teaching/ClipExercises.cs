using Workbench.Evaluation;
using Workbench.Models.Clip;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Workbench.Teaching;

/// <summary>
/// Notebook 02's exercises: CLIP's symmetric InfoNCE from the similarity matrix, checked against
/// <see cref="ContrastiveLoss.InfoNce"/>, and the zero-shot prediction from prompt embeddings, checked against
/// <see cref="ZeroShotClassifier"/>.
/// </summary>
public static class ClipExercises
{
    /// <summary>Symmetric InfoNCE: <c>Tensor InfoNce(Tensor similarity, double scale)</c>.</summary>
    public static ExerciseDefinition InfoNce { get; } = new ExerciseDefinition<Func<Tensor, double, Tensor>>(
        "clip-infonce", "Symmetric InfoNCE from the similarity matrix", "02-clip",
        "Tensor (Tensor similarity, double scale): similarity (B, B), image i against caption j, to the scalar loss",
        InfoNceInputs);

    /// <summary>Zero-shot prediction: <c>Tensor Predict(Tensor images, Tensor prompts)</c>.</summary>
    public static ExerciseDefinition ZeroShot { get; } = new ExerciseDefinition<Func<Tensor, Tensor, Tensor>>(
        "clip-zero-shot", "Zero-shot prediction from prompt embeddings", "02-clip",
        "Tensor (Tensor images, Tensor prompts): unit image embeddings (N, D) and unit prompt embeddings (C classes, P prompts, D) to a class index per image (N)",
        ZeroShotInputs);

    static IReadOnlyList<ExerciseInput<Func<Tensor, double, Tensor>>> InfoNceInputs()
    {
        var random = new Generator(2021);
        Tensor Units(long n, long d) => normalize(randn(n, d, generator: random), dim: 1);
        ExerciseInput<Func<Tensor, double, Tensor>> Input(string what, Tensor images, Tensor texts, double scale, string hint) =>
            new($"{what}; scale {ExerciseValues.Number(scale)}; similarity {ExerciseValues.Describe(images.matmul(texts.T))}", hint, attendee =>
                Comparison.OfTensors(ContrastiveLoss.InfoNce(images, texts, tensor((float)scale)), attendee(images.matmul(texts.T), scale)));

        var notebookImages = tensor(new float[,] { { 1, 0, 0 }, { 0.6f, 0.8f, 0 }, { 0, 0, 1 } });
        var notebookTexts = tensor(new float[,] { { 0.8f, 0.6f, 0 }, { 0, 1, 0 }, { 0, 0.6f, 0.8f } });
        var same = Units(1, 8);
        var confident = eye(4) * 0.98f + 0.05f;
        return
        [
            Input("the notebook's three pairs", notebookImages, notebookTexts, 1 / 0.07,
                "Row i of scale x similarity is image i's scores over the captions, and its right answer is column i; " +
                "column j is caption j's scores over the images. The loss is the mean of the two directions' cross-entropies."),
            Input("8 random pairs (D = 16)", Units(8, 16), Units(8, 16), 1 / 0.07,
                "Random similarities are not symmetric: image-to-caption (rows) and caption-to-image (columns) differ, and both count, each averaged over the batch."),
            Input("5 random pairs (D = 4) at a small scale", Units(5, 4), Units(5, 4), 2.5,
                "The scale multiplies the similarities before any softmax."),
            Input("ties: every image the same and every caption the same", same.expand(6, 8), same.expand(6, 8), 1 / 0.07,
                "When every similarity is equal each softmax is uniform, so the loss is log B whatever the scale."),
            Input("one pair (B = 1)", Units(1, 8), Units(1, 8), 1 / 0.07,
                "With one pair there is nothing to confuse: each softmax has a single entry."),
            Input("confident pairs at CLIP's largest scale", normalize(confident, dim: 1), normalize(confident, dim: 1), 100,
                "exp(100) overflows float32: take log-probabilities in one step (log_softmax, or subtract each row's maximum first) rather than exp, then log."),
        ];
    }

    static IReadOnlyList<ExerciseInput<Func<Tensor, Tensor, Tensor>>> ZeroShotInputs()
    {
        var random = new Generator(31);
        Tensor Units(params long[] shape) => normalize(randn(shape, generator: random), dim: -1);
        ExerciseInput<Func<Tensor, Tensor, Tensor>> Input(string what, Tensor images, Tensor prompts, string hint) =>
            new($"{what}; images {ExerciseValues.Describe(images)}; prompts {ExerciseValues.Describe(prompts)}", hint, attendee =>
                ComparePredictions(ReferenceScores(images, prompts), attendee(images, prompts)));

        // Class 1's two prompts point apart, so their mean is short (0.3) but aims at the image; class 0's agree.
        var disagreeing = tensor(new float[,,] { { { 0, 0, 1 }, { 0, 0, 1 } }, { { 0.3f, 0.9539f, 0 }, { 0.3f, -0.9539f, 0 } } });
        var tiedPrompts = Units(3, 2, 6);
        tiedPrompts[2] = tiedPrompts[1];
        return
        [
            Input("6 images, 4 classes x 3 prompts (D = 8)", Units(6, 8), Units(4, 3, 8),
                "A class's embedding is the mean of its prompts' embeddings, made unit length again; each image takes the class of highest cosine similarity."),
            Input("a class whose prompts disagree", normalize(tensor(new float[,] { { 0.9f, 0, 0.436f }, { 0.2f, 0.1f, 0.97f } }), dim: 1), disagreeing,
                "The mean of unit vectors that point different ways is shorter than 1: compare directions, not lengths."),
            Input("one prompt per class", Units(5, 8), Units(3, 1, 8),
                "With one prompt, a class's embedding is that prompt's embedding."),
            Input("ties: classes 1 and 2 have the same prompts", Units(6, 6), tiedPrompts,
                "Where classes tie any of them is right; return one class index per image (N integers), not scores."),
            Input("one image (N = 1)", Units(1, 8), Units(4, 3, 8),
                "Keep the image dimension: one image still gives a tensor of shape (1)."),
        ];
    }

    /// <summary>The library's zero-shot scores (N, C) for prompt embeddings (C, P, D), through <see cref="ZeroShotClassifier"/>.</summary>
    static Tensor ReferenceScores(Tensor images, Tensor prompts)
    {
        var names = Enumerable.Range(0, (int)prompts.shape[0]).Select(c => $"class{c}").ToList();
        var templates = Enumerable.Range(0, (int)prompts.shape[1]).Select(p => $"prompt {p} of {{}}").ToList();
        var rows = names.SelectMany((name, c) => Workbench.Data.PromptTemplates.ForClass(name, templates).Select((text, p) => (text, c, p)))
            .ToDictionary(x => x.text, x => prompts[x.c, x.p]);
        var classifier = new ZeroShotClassifier(names, templates, texts => stack(texts.Select(t => rows[t]).ToArray()));
        return classifier.Logits(images);
    }

    /// <summary>A prediction agrees when each image's predicted class scores the row's maximum (ties: any tied class).</summary>
    static Comparison ComparePredictions(Tensor scores, Tensor predicted)
    {
        var best = scores.argmax(1);
        string expected = $"{ExerciseValues.Describe(best)} (the class of highest score per image; where classes tie, any of them)";
        string actual = ExerciseValues.Describe(predicted);
        if (!predicted.shape.SequenceEqual(best.shape))
            return new Comparison(false, expected, $"a tensor of shape ({string.Join(", ", predicted.shape)}), not ({best.shape[0]}): {actual}");
        var classes = predicted.cpu().to_type(ScalarType.Int64);
        if (classes.lt(0).any().item<bool>() || classes.ge(scores.shape[1]).any().item<bool>())
            return new Comparison(false, expected, $"{actual}: class indices must lie in 0..{scores.shape[1] - 1}");
        var chosen = scores.cpu().gather(1, classes.unsqueeze(1)).squeeze(1);
        bool agrees = chosen.ge(scores.cpu().max(1).values - 1e-5).all().item<bool>();
        return new Comparison(agrees, expected, actual);
    }
}
