using TorchSharp;
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
/// </summary>
public sealed class ZeroShotClassifier
{
    /// <summary>Class embeddings, (classes, D), L2-normalised.</summary>
    public Tensor ClassEmbeddings { get; }
    /// <summary>The classes.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// Builds the classifier. <paramref name="encodeTexts"/> maps captions to L2-normalised (n, D) embeddings;
    /// <paramref name="templates"/> contain "{}" where the class name goes.
    /// </summary>
    public ZeroShotClassifier(IReadOnlyList<string> classNames, IReadOnlyList<string> templates, Func<IReadOnlyList<string>, Tensor> encodeTexts)
    {
        ClassNames = classNames;
        using var scope = NewDisposeScope();
        var perClass = classNames.Select(name =>
        {
            var prompts = templates.Select(t => t.Replace("{}", name)).ToList();
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
