using TorchSharp;
using Workbench.Data;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Evaluation;

/// <summary>Top-1 / top-5 accuracy and the confusion matrix of a classifier.</summary>
/// <param name="Top1">Share of images whose best class is right.</param>
/// <param name="Top5">Share whose right class is among the best five.</param>
/// <param name="Confusion">Counts [true class][predicted class].</param>
/// <param name="ClassNames">The classes, in index order.</param>
public sealed record ClassificationScores(double Top1, double Top5, int[][] Confusion, IReadOnlyList<string> ClassNames);

/// <summary>
/// CLIP's zero-shot classifier (Radford et al. 2021, section 3.1.4): embed every prompt template filled with every class
/// name, average the normalised embeddings per class (a prompt ensemble), normalise again, and predict the class whose
/// embedding is most similar to the image's.
/// <para>A text encoder reads a word it never saw in training as <c>&lt;unk&gt;</c>, and classes that differ only in
/// such words look alike to it: given the encoder's unknown words, the classifier names those of its prompts in
/// <see cref="UnknownWords"/> and <see cref="Warning"/>, for the caller to show.</para>
/// </summary>
public sealed class ZeroShotClassifier
{
    /// <summary>Class embeddings, (classes, D), L2-normalised.</summary>
    public Tensor ClassEmbeddings { get; }
    /// <summary>The classes.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>The prompts of each class, in class order: every template with the class name (and its article) filled in.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Prompts { get; }
    /// <summary>The distinct words of the prompts that the text encoder's vocabulary lacks (empty when not known).</summary>
    public IReadOnlyList<string> UnknownWords { get; }
    /// <summary>One line naming <see cref="UnknownWords"/> and the class name or prompt of each, or null when there are none.</summary>
    public string? Warning { get; }

    /// <summary>
    /// Builds the classifier. <paramref name="encodeTexts"/> maps captions to L2-normalised (n, D) embeddings;
    /// <paramref name="templates"/> contain "{}" where the class name goes (an article before it is made to agree, as
    /// <see cref="PromptTemplates.Apply"/> does for the training captions).
    /// </summary>
    /// <param name="classNames">The classes, in label order.</param>
    /// <param name="templates">Prompt templates, each with one "{}".</param>
    /// <param name="encodeTexts">The text encoder.</param>
    /// <param name="unknownWords">The words of a text the text encoder's vocabulary lacks, e.g. a word tokenizer's
    /// <c>UnknownWords</c>; null when every word is representable (a byte-level tokenizer).</param>
    public ZeroShotClassifier(IReadOnlyList<string> classNames, IReadOnlyList<string> templates,
                              Func<IReadOnlyList<string>, Tensor> encodeTexts, Func<string, IReadOnlyList<string>>? unknownWords = null)
    {
        ClassNames = classNames;
        Prompts = classNames.Select(name => (IReadOnlyList<string>)PromptTemplates.ForClass(name, templates)).ToList();
        if (unknownWords is not null)
        {
            var prompts = Prompts.SelectMany(p => p).ToList();
            UnknownWords = prompts.SelectMany(unknownWords).Distinct(StringComparer.Ordinal).ToList();
            // Class names first, so that a word of a class name is reported with its class.
            Warning = WordTokenizer.DescribeUnknownWords(
                classNames.Select(c => ($"class \"{c}\"", c)).Concat(prompts.Select(p => ($"prompt \"{p}\"", p))), unknownWords);
        }
        else UnknownWords = [];
        using var scope = NewDisposeScope();
        var perClass = Prompts.Select(prompts =>
        {
            var mean = encodeTexts(prompts).mean([0]);
            return mean / mean.norm();
        }).ToArray();
        ClassEmbeddings = stack(perClass).MoveToOuterDisposeScope();
    }

    /// <summary>Scores (images, classes): cosine similarities.</summary>
    public Tensor Logits(Tensor imageEmbeddings) => imageEmbeddings.matmul(ClassEmbeddings.to(imageEmbeddings.device).T);

    /// <summary>Top-1 / top-5 accuracy and confusion over labelled image embeddings.</summary>
    public ClassificationScores Evaluate(Tensor imageEmbeddings, IReadOnlyList<int> labels) =>
        Score(Logits(imageEmbeddings), labels, ClassNames);

    /// <summary>Scores any (n, classes) logits against labels.</summary>
    public static ClassificationScores Score(Tensor logits, IReadOnlyList<int> labels, IReadOnlyList<string> classNames)
    {
        using var scope = NewDisposeScope();
        int n = labels.Count, classes = classNames.Count;
        if (labels.FirstOrDefault(l => l < 0 || l >= classes, 0) is var bad && (bad < 0 || bad >= classes))
            throw new ArgumentException($"Class labels must lie in [0, {classes}); got {bad} (a sample without a class cannot be scored by class).", nameof(labels));
        int k = Math.Min(5, classes);
        var top = logits.topk(k, dim: 1).indexes.cpu().data<long>().ToArray();
        var confusion = Enumerable.Range(0, classes).Select(_ => new int[classes]).ToArray();
        int top1 = 0, top5 = 0;
        for (int i = 0; i < n; i++)
        {
            int predicted = (int)top[i * k];
            confusion[labels[i]][predicted]++;
            if (predicted == labels[i]) top1++;
            for (int j = 0; j < k; j++) if (top[i * k + j] == labels[i]) { top5++; break; }
        }
        return new ClassificationScores(top1 / (double)n, top5 / (double)n, confusion, classNames);
    }
}
