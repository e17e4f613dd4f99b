using TorchSharp;
using Workbench.Data;
using Workbench.Evaluation;
using Workbench.Models.Clip;
using static TorchSharp.torch;

namespace Workbench.Training.Clip;

/// <summary>The held-out figures of a CLIP model, as written to <c>metrics.json</c>.</summary>
/// <param name="Metrics">Named figures: zero_shot_top1, retrieval_text_to_image_r1, ... and their baselines.</param>
/// <param name="Retrieval">Retrieval in both directions on the test pairs.</param>
/// <param name="ZeroShot">Zero-shot classification, where the data has classes.</param>
/// <param name="LinearProbe">A linear probe on the frozen image features, where the data has classes.</param>
public sealed record ClipMetrics(
    IReadOnlyDictionary<string, double> Metrics,
    RetrievalReport Retrieval,
    ClassificationScores? ZeroShot,
    ClassificationScores? LinearProbe) : Runs.IRunReport;

/// <summary>
/// Scores a CLIP model on held-out data: retrieval both ways (a retrieved item whose caption is identical to the
/// query's counts as a hit), zero-shot classification with prompt-template ensembles, a linear probe, and baselines
/// that show the model uses what it should: the same model with each image swapped for another example's image.
/// </summary>
public static class ClipEvaluation
{
    /// <summary>Quick validation figures, logged during training.</summary>
    public static IReadOnlyDictionary<string, double> Validation(ClipRun run, ClipModel model)
    {
        int n = Math.Min(run.Config.ValidationSamples, run.Validation.Count);
        var indices = Enumerable.Range(0, n).ToList();
        using var scope = NewDisposeScope();
        var images = run.EmbedImages(model, run.Validation, indices);
        var samples = indices.Select(run.Validation.Get).ToList();
        var captions = samples.Select(s => s.Captions[0]).ToList();
        var texts = run.EmbedTexts(model, captions);
        var report = Workbench.Evaluation.Retrieval.Evaluate(images, texts, captions);
        var metrics = new Dictionary<string, double>
        {
            ["val_retrieval_text_to_image_r1"] = report.TextToImage.RecallAt1,
            ["val_retrieval_image_to_text_r1"] = report.ImageToText.RecallAt1,
        };
        foreach (var (name, value) in Binding(run, model, run.Validation.Language, samples, images, texts, seed: 0)) metrics["val_" + name] = value;
        if (run.Validation.ClassNames is { } classes && Labelled(run.Validation, indices, classes.Count) is { Count: > 0 } rows)
        {
            var classifier = new ZeroShotClassifier(classes, Data.PromptTemplates.Default, t => run.EmbedTexts(model, t));
            using var labelledImages = images.index_select(0, tensor(rows.Select(r => (long)r).ToArray()));
            metrics["val_zero_shot_top1"] = classifier.Evaluate(labelledImages, rows.Select(r => run.Validation.Get(indices[r]).Label).ToList()).Top1;
        }
        return metrics;
    }

    /// <summary>The full held-out evaluation on the test split.</summary>
    public static ClipMetrics Test(ClipRun run, ClipModel model, int seed = 0)
    {
        using var scope = NewDisposeScope();
        var test = run.Test;
        var metrics = new Dictionary<string, double>();

        // Retrieval over the first N test pairs, each with its canonical caption.
        int n = Math.Min(run.Config.RetrievalSamples, test.Count);
        var indices = Enumerable.Range(0, n).ToList();
        var images = run.EmbedImages(model, test, indices);
        var samples = indices.Select(test.Get).ToList();
        var captions = samples.Select(s => s.Captions[0]).ToList();
        var texts = run.EmbedTexts(model, captions);
        var retrieval = Workbench.Evaluation.Retrieval.Evaluate(images, texts, captions);
        Add(metrics, "retrieval_text_to_image", retrieval.TextToImage);
        Add(metrics, "retrieval_image_to_text", retrieval.ImageToText);

        // Baseline: the same model, each caption paired with another example's image (a fixed derangement).
        var shuffled = Derangement.Of(n, seed);
        var baseline = Workbench.Evaluation.Retrieval.Evaluate(images.index_select(0, tensor(shuffled)), texts, captions);
        metrics["baseline_other_image_text_to_image_r1"] = baseline.TextToImage.RecallAt1;
        metrics["distinct_captions"] = captions.Distinct().Count();
        metrics["chance_text_to_image_r1"] = captions.GroupBy(c => c).Sum(g => (double)g.Count() * g.Count()) / ((double)n * n);
        foreach (var (name, value) in Binding(run, model, test.Language, samples, images, texts, seed)) metrics[name] = value;

        ClassificationScores? zeroShot = null, probe = null;
        // The first ZeroShotSamples test samples that have a class (positions in 0..m-1 are the indices themselves).
        if (test.ClassNames is { } classes
            && Labelled(test, Enumerable.Range(0, Math.Min(run.Config.ZeroShotSamples ?? test.Count, test.Count)).ToList(), classes.Count) is { Count: > 0 } all)
        {
            int m = all.Count;
            var allImages = run.EmbedImages(model, test, all);
            var labels = all.Select(i => test.Get(i).Label).ToList();
            var classifier = new ZeroShotClassifier(classes, Data.PromptTemplates.Default, t => run.EmbedTexts(model, t));
            zeroShot = classifier.Evaluate(allImages, labels);
            metrics["zero_shot_top1"] = zeroShot.Top1;
            metrics["zero_shot_top5"] = zeroShot.Top5;
            metrics["zero_shot_samples"] = m;
            metrics["chance_zero_shot_top1"] = 1.0 / classes.Count;
            var otherImage = classifier.Evaluate(allImages.index_select(0, tensor(Derangement.Of(m, seed))), labels);
            metrics["baseline_other_image_zero_shot_top1"] = otherImage.Top1;

            var trainIdx = Labelled(run.Train, Enumerable.Range(0, Math.Min(run.Config.LinearProbeSamples, run.Train.Count)).ToList(), classes.Count);
            if (trainIdx.Count > 0)   // positions in 0..k-1 are the indices themselves
            {
                int k = trainIdx.Count;
                var trainFeatures = run.ImageFeatures(model, run.Train, trainIdx);
                var testFeatures = run.ImageFeatures(model, test, all);
                probe = Workbench.Evaluation.LinearProbe.TrainAndEvaluate(trainFeatures, trainIdx.Select(i => run.Train.Get(i).Label).ToList(),
                    testFeatures, labels, classes, seed: seed);
                metrics["linear_probe_top1"] = probe.Top1;
                metrics["linear_probe_train_samples"] = k;
            }
        }
        return new ClipMetrics(metrics, retrieval, zeroShot, probe);
    }

    /// <summary>
    /// Whether the model sees which attribute goes with which object (the ARO test of Yuksekgonul et al. 2023): for each
    /// scene, does its image score its canonical caption above the same caption with two objects' kinds swapped
    /// (<see cref="HardNegatives"/>)? A bag-of-words model, blind to binding, scores 0.5 on the swaps. Scenes whose
    /// objects share one kind have a kind replaced instead, which tests that shape is seen at all. Empty for data sets
    /// that cannot word a changed scene.
    /// </summary>
    /// <param name="run">The run (its tokenizer embeds the negatives).</param>
    /// <param name="model">The model.</param>
    /// <param name="language">How their data set words a scene; null: nothing to score.</param>
    /// <param name="samples">The samples scored.</param>
    /// <param name="images">The embeddings of the <paramref name="samples"/>' images.</param>
    /// <param name="texts">The embeddings of their canonical captions.</param>
    /// <param name="seed">Chooses which objects swap.</param>
    public static IReadOnlyDictionary<string, double> Binding(ClipRun run, ClipModel model, ISceneLanguage? language,
        IReadOnlyList<Sample> samples, Tensor images, Tensor texts, int seed)
    {
        var result = new Dictionary<string, double>();
        if (language is null || samples.Any(s => s.Scene is null)) return result;
        var random = new Random(StableHash.Combine(seed, 0xB1D));
        var negatives = samples.Select(s => HardNegatives.Caption(language, s, 0, random)).ToList();
        using var scope = NewDisposeScope();
        var negativeTexts = run.EmbedTexts(model, negatives.Select(n => n.Caption).ToList());
        var wins = PreferenceScores(images, texts, negativeTexts);
        foreach (var (name, swapped) in new[] { ("binding_swap_accuracy", true), ("binding_replace_accuracy", false) })
        {
            var rows = Enumerable.Range(0, wins.Length).Where(i => negatives[i].Swapped == swapped).ToList();
            if (rows.Count == 0) continue;
            result[name] = rows.Sum(i => wins[i]) / rows.Count;
            result[name.Replace("accuracy", "scenes")] = rows.Count;
        }
        return result;
    }

    /// <summary>
    /// Per row, 1 when image i is nearer its caption than its negative, 0 when nearer the negative, and 0.5 on a tie (a
    /// text encoder blind to word order gives a swap the caption's own embedding: a coin toss, not a loss).
    /// </summary>
    /// <param name="images">Embeddings (B, D).</param>
    /// <param name="texts">Caption embeddings (B, D).</param>
    /// <param name="negatives">Negative caption embeddings (B, D).</param>
    public static double[] PreferenceScores(Tensor images, Tensor texts, Tensor negatives)
    {
        using var scope = NewDisposeScope();
        var positive = (images * texts).sum(1).to_type(ScalarType.Float64).data<double>().ToArray();
        var negative = (images * negatives).sum(1).to_type(ScalarType.Float64).data<double>().ToArray();
        return positive.Zip(negative, (p, n) => p > n ? 1.0 : p < n ? 0.0 : 0.5).ToArray();
    }

    /// <summary>
    /// The positions in <paramref name="indices"/> of samples with a class label (FashionScenes labels only its one-item
    /// scenes; a scene of several items has none and cannot be scored by class).
    /// </summary>
    static List<int> Labelled(IImageTextDataset data, IReadOnlyList<int> indices, int classes) =>
        Enumerable.Range(0, indices.Count).Where(r => data.Get(indices[r]).Label is var label && label >= 0 && label < classes).ToList();

    static void Add(Dictionary<string, double> metrics, string prefix, RetrievalScores s)
    {
        metrics[$"{prefix}_r1"] = s.RecallAt1;
        metrics[$"{prefix}_r5"] = s.RecallAt5;
        metrics[$"{prefix}_r10"] = s.RecallAt10;
        metrics[$"{prefix}_median_rank"] = s.MedianRank;
    }
}
