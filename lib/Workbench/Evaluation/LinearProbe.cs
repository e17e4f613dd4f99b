using TorchSharp;
using static TorchSharp.torch;

namespace Workbench.Evaluation;

/// <summary>
/// A linear probe: multinomial logistic regression on frozen image features, the standard yardstick for how much a
/// representation knows (CLIP section 3.2). Full-batch training with Adam and a little weight decay.
/// </summary>
public static class LinearProbe
{
    /// <summary>Trains on (features, labels) and scores on the held-out set.</summary>
    public static ClassificationScores TrainAndEvaluate(Tensor trainFeatures, IReadOnlyList<int> trainLabels,
        Tensor testFeatures, IReadOnlyList<int> testLabels, IReadOnlyList<string> classNames,
        int epochs = 300, double learningRate = 0.01, double weightDecay = 1e-4, int seed = 0)
    {
        using var scope = NewDisposeScope();
        var device = trainFeatures.device;
        var generator = new Generator((ulong)seed, device);
        int dim = (int)trainFeatures.shape[1], classes = classNames.Count;
        // Standardise with the training statistics so one learning rate suits any encoder.
        var mean = trainFeatures.mean([0], keepdim: true);
        var std = trainFeatures.std(0, keepdim: true) + 1e-6;
        var x = ((trainFeatures - mean) / std).detach();
        var y = tensor(trainLabels.Select(l => (long)l).ToArray(), device: device);
        var weight = new TorchSharp.Modules.Parameter(randn(dim, classes, generator: generator, device: device) * 0.01);
        var bias = new TorchSharp.Modules.Parameter(zeros(classes, device: device));
        var optimizer = optim.Adam([weight, bias], lr: learningRate, weight_decay: weightDecay);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            using var step = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(x.matmul(weight) + bias, y);
            loss.backward();
            optimizer.step();
        }
        using (no_grad())
        {
            var logits = ((testFeatures - mean) / std).matmul(weight) + bias;
            return ZeroShotClassifier.Score(logits, testLabels, classNames);
        }
    }
}
