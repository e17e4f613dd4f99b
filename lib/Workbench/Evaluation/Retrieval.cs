using TorchSharp;
using static TorchSharp.torch;

namespace Workbench.Evaluation;

/// <summary>Recall@K and median rank for one retrieval direction.</summary>
/// <param name="RecallAt1">Share of queries whose first result is correct.</param>
/// <param name="RecallAt5">Share of queries with a correct result in the top 5.</param>
/// <param name="RecallAt10">Share of queries with a correct result in the top 10.</param>
/// <param name="MedianRank">Median (1-based) rank of the first correct result.</param>
/// <param name="Queries">Number of queries.</param>
public sealed record RetrievalScores(double RecallAt1, double RecallAt5, double RecallAt10, double MedianRank, int Queries);

/// <summary>Both directions of image-text retrieval.</summary>
/// <param name="TextToImage">Each caption retrieves among the images.</param>
/// <param name="ImageToText">Each image retrieves among the captions.</param>
public sealed record RetrievalReport(RetrievalScores TextToImage, RetrievalScores ImageToText);

/// <summary>
/// Cross-modal retrieval over paired embeddings (image i belongs with text i). A result counts as correct when its
/// caption is identical to the query's own (generated data repeats captions: any scene with the same description is
/// a right answer), so pass each pair's caption as its group.
/// </summary>
public static class Retrieval
{
    /// <summary>Scores both directions. Embeddings are (N, D) and L2-normalised; <paramref name="groups"/> has N entries.</summary>
    public static RetrievalReport Evaluate(Tensor imageEmbeddings, Tensor textEmbeddings, IReadOnlyList<string> groups)
    {
        using var scope = NewDisposeScope();
        var similarity = textEmbeddings.matmul(imageEmbeddings.T).cpu();  // (texts, images)
        return new RetrievalReport(Score(similarity, groups), Score(similarity.T.contiguous(), groups));
    }

    /// <summary>Scores queries (rows) against items (columns) of a similarity matrix; row i's correct items share its group.</summary>
    public static RetrievalScores Score(Tensor similarity, IReadOnlyList<string> groups)
    {
        int n = (int)similarity.shape[0];
        if (similarity.shape[1] != n || groups.Count != n)
            throw new ArgumentException($"expected a square similarity matrix with one group per row, got {string.Join("x", similarity.shape)} and {groups.Count} groups");
        var values = similarity.to_type(ScalarType.Float32).data<float>().ToArray();
        var ranks = new double[n];
        for (int q = 0; q < n; q++)
        {
            // Rank of the best-scoring correct item = 1 + number of wrong items scoring strictly higher.
            float best = float.NegativeInfinity;
            for (int j = 0; j < n; j++)
                if (groups[j] == groups[q]) best = Math.Max(best, values[q * n + j]);
            int higher = 0;
            for (int j = 0; j < n; j++)
                if (groups[j] != groups[q] && values[q * n + j] > best) higher++;
            ranks[q] = higher + 1;
        }
        double Recall(int k) => ranks.Count(r => r <= k) / (double)n;
        return new RetrievalScores(Recall(1), Recall(5), Recall(10), MathNet.Numerics.Statistics.Statistics.Median(ranks), n);
    }
}
