using Workbench.Data;
using Workbench.Evaluation;
using Workbench.Models.Clip;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Training.Clip;

/// <summary>Zero-shot accuracy of one wording of the class names with one set of prompt templates.</summary>
/// <param name="ClassNames">The name of the wording of the class names (e.g. "built-in words").</param>
/// <param name="Prompts">The name of the prompt set (e.g. "one prompt").</param>
/// <param name="Top1">Share of held-out images whose best class is right.</param>
/// <param name="Top5">Share whose right class is among the best five.</param>
/// <param name="UnknownWords">Words of the prompts outside the model's vocabulary, read as <c>&lt;unk&gt;</c>.</param>
public sealed record ZeroShotWordingScore(string ClassNames, string Prompts, double Top1, double Top5, string UnknownWords);

/// <summary>Every wording against every prompt set, and the warnings about words the model cannot read.</summary>
/// <param name="Scores">One score per (wording, prompt set), wordings first.</param>
/// <param name="Warnings">One line per wording and prompt set whose prompts hold unknown words.</param>
public sealed record ZeroShotWordingReport(IReadOnlyList<ZeroShotWordingScore> Scores, IReadOnlyList<string> Warnings);

/// <summary>
/// How much zero-shot accuracy depends on the words: a trained CLIP run's held-out images classified with the class
/// names worded in several ways (the data's own caption words, the data set's official names, your own) and with
/// several prompt sets (one prompt, an ensemble). The images are embedded once, so each extra wording costs only
/// the text embeddings of its prompts.
/// </summary>
public static class ZeroShotWordings
{
    /// <summary>The canonical single prompt, "a photo of a {}." (the first of <see cref="PromptTemplates.Default"/>).</summary>
    public static readonly IReadOnlyList<string> SinglePrompt = [PromptTemplates.Default[0]];

    /// <summary>Scores every wording of the class names with every prompt set on the run's test split.</summary>
    /// <param name="run">The run whose test split has classes.</param>
    /// <param name="model">The trained model.</param>
    /// <param name="wordings">Named lists of class names, each in label order and as long as the data's classes.</param>
    /// <param name="promptSets">Named lists of prompt templates, each with one "{}".</param>
    /// <param name="samples">The first this many test images (null: all of them).</param>
    /// <exception cref="ArgumentException">The data has no classes, or a wording has the wrong number of names.</exception>
    public static ZeroShotWordingReport Compare(ClipRun run, ClipModel model,
        IReadOnlyList<(string Name, IReadOnlyList<string> ClassNames)> wordings,
        IReadOnlyList<(string Name, IReadOnlyList<string> Templates)> promptSets, int? samples = null)
    {
        var test = run.Test;
        var classes = test.ClassNames
            ?? throw new ArgumentException($"{run.Config.Data} has no classes, so there is nothing to classify zero-shot (try fashion-mnist).");
        foreach (var (name, names) in wordings)
            if (names.Count != classes.Count)
                throw new ArgumentException($"The wording \"{name}\" has {names.Count} class names; {run.Config.Data} has {classes.Count} classes.");

        using var scope = NewDisposeScope();
        var indices = Enumerable.Range(0, Math.Min(samples ?? test.Count, test.Count)).ToList();
        var images = run.EmbedImages(model, test, indices);
        var labels = indices.Select(i => test.Get(i).Label).ToList();
        var scores = new List<ZeroShotWordingScore>();
        var warnings = new List<string>();
        foreach (var (wording, names) in wordings)
            foreach (var (promptSet, templates) in promptSets)
            {
                var classifier = new ZeroShotClassifier(names, templates, t => run.EmbedTexts(model, t), run.Tokenizer.UnknownWords);
                var result = classifier.Evaluate(images, labels);
                scores.Add(new ZeroShotWordingScore(wording, promptSet, result.Top1, result.Top5, string.Join(" ", classifier.UnknownWords)));
                if (classifier.Warning is { } warning) warnings.Add($"{wording}, {promptSet}: {warning}");
            }
        return new ZeroShotWordingReport(scores, warnings);
    }
}
