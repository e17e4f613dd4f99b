using TorchSharp;
using Workbench.Models;
using Workbench.Models.Language;
using Workbench.Tests.Training;
using Workbench.Training;
using static TorchSharp.torch;

namespace Workbench.Tests.Models;

/// <summary>
/// bf16-mixed against independent references: a product of bfloat16-rounded operands computed in doubles (the rounding
/// written here bit by bit, round to nearest even, not LibTorch's), and whole models against their own fp32 results to
/// a stated tolerance. Parameters, gradients and AdamW's moments must stay float32.
/// </summary>
[Collection(GlobalRandomState.Name)]
public sealed class MixedPrecisionTests
{
    /// <summary>A float rounded to bfloat16 (its top 16 bits), round to nearest, ties to even, as IEEE does.</summary>
    static double RoundToBfloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint lsb = (bits >> 16) & 1;
        bits = (bits + 0x7FFF + lsb) & 0xFFFF0000u;
        return BitConverter.UInt32BitsToSingle(bits);
    }

    [Fact]
    public void ALinearLayerUnderBf16MixedMultipliesBfloat16RoundedOperandsAndRoundsOnceWithTheBias()
    {
        manual_seed(3);
        var x = randn(5, 64);
        var weight = randn(7, 64);
        var bias = randn(7);
        Tensor mixed;
        using (MixedPrecision.Use(Precision.Bf16Mixed)) mixed = MixedPrecision.Linear(x, weight, bias);
        var plain = MixedPrecision.Linear(x, weight, bias);   // outside any scope: fp32

        Assert.Equal(ScalarType.Float32, mixed.dtype);
        float[] xs = x.data<float>().ToArray(), ws = weight.data<float>().ToArray(), bs = bias.data<float>().ToArray();
        float[] got = mixed.data<float>().ToArray(), fp32 = plain.data<float>().ToArray();
        double largestDifferenceFromFp32 = 0;
        int exact = 0;
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 7; j++)
            {
                double sum = 0;
                for (int k = 0; k < 64; k++) sum += RoundToBfloat16(xs[i * 64 + k]) * RoundToBfloat16(ws[j * 64 + k]);
                // The bias, rounded to bfloat16 too, is added in the product's float32 epilogue, and the result is
                // rounded to bfloat16 once (as PyTorch's autocast gets it from addmm), then widened. A float32 sum in
                // another order may land on the neighbouring bfloat16 value.
                sum += RoundToBfloat16(bs[j]);
                float reference = (float)RoundToBfloat16((float)sum);
                double ulp = Math.Abs(sum) * Math.Pow(2, -7);
                Assert.True(Math.Abs(got[i * 7 + j] - reference) <= ulp, $"[{i},{j}]: {got[i * 7 + j]} against {reference}");
                if (got[i * 7 + j] == reference) exact++;
                largestDifferenceFromFp32 = Math.Max(largestDifferenceFromFp32, Math.Abs(got[i * 7 + j] - fp32[i * 7 + j]));
            }
        Assert.True(exact >= 30, $"only {exact} of 35 outputs equal the bfloat16-rounded sum with the bias");
        Assert.True(largestDifferenceFromFp32 > 1e-3, $"bf16-mixed gave the fp32 result ({largestDifferenceFromFp32}): the product did not run in bfloat16");
    }

    [Fact]
    public void InnerProductsStayBfloat16UnderBf16MixedAndTheNextProductTakesThemAsTheyAre()
    {
        manual_seed(4);
        var x = randn(6, 32);
        var first = randn(48, 32);
        var second = randn(32, 48);
        Tensor inner, outer, attended;
        using (MixedPrecision.Use(Precision.Bf16Mixed))
        {
            inner = MixedPrecision.LinearInner(x, first);
            outer = MixedPrecision.Linear(inner, second);
            attended = MixedPrecision.MatMulInner(randn(6, 6).softmax(-1), inner);
        }
        Assert.Equal(ScalarType.BFloat16, inner.dtype);
        Assert.Equal(ScalarType.BFloat16, attended.dtype);
        Assert.Equal(ScalarType.Float32, outer.dtype);
        // The second product reads the bfloat16 hidden units without another rounding: it equals the product of the
        // same bfloat16 values widened to float32 and rounded again (a no-op), to bfloat16 rounding of the result.
        var reference = inner.to(ScalarType.Float32).matmul(second.to(ScalarType.BFloat16).to(ScalarType.Float32).t());
        var difference = (outer - reference).abs().max().item<float>();
        var scale = reference.abs().max().item<float>();
        Assert.True(difference <= scale * Math.Pow(2, -7), $"largest difference {difference} against a scale of {scale}");
        // Outside bf16-mixed the inner products are the plain float32 ones.
        Assert.Equal(ScalarType.Float32, MixedPrecision.LinearInner(x, first).dtype);
        Assert.Equal(x.matmul(first.t()).data<float>().ToArray(), MixedPrecision.LinearInner(x, first).data<float>().ToArray());
    }

    [Fact]
    public void TheScopeNestsAndRestoresAndFp32IsThePlainProduct()
    {
        Assert.Equal(Precision.Fp32, MixedPrecision.Current);
        using (MixedPrecision.Use(Precision.Bf16Mixed))
        {
            Assert.Equal(Precision.Bf16Mixed, MixedPrecision.Current);
            using (MixedPrecision.Use(Precision.Fp32)) Assert.Equal(Precision.Fp32, MixedPrecision.Current);
            Assert.Equal(Precision.Bf16Mixed, MixedPrecision.Current);
        }
        Assert.Equal(Precision.Fp32, MixedPrecision.Current);

        var a = randn(3, 4);
        var b = randn(4, 2);
        Assert.Equal(a.matmul(b).data<float>().ToArray(), MixedPrecision.MatMul(a, b).data<float>().ToArray());
        Assert.Equal(Precision.Bf16Mixed, MixedPrecision.Parse("bf16-mixed"));
        Assert.Equal("bf16-mixed", MixedPrecision.Name(Precision.Bf16Mixed));
        Assert.Throws<ArgumentException>(() => MixedPrecision.Parse("fp8"));
    }

    [Fact]
    public void AttentionWeightsStayFloat32UnderBf16Mixed()
    {
        manual_seed(4);
        var attention = new MultiHeadAttention(64, 4);
        var queries = randn(2, 6, 64);
        var context = randn(2, 9, 64);
        Tensor weights;
        using (MixedPrecision.Use(Precision.Bf16Mixed)) weights = attention.AttentionWeights(queries, context);
        var reference = attention.AttentionWeights(queries, context);

        Assert.Equal(ScalarType.Float32, weights.dtype);
        // A float32 softmax sums to 1 to float32 precision; one in bfloat16 would be off by ~1e-3.
        Assert.True((weights.sum(-1) - 1).abs().max().ToSingle() < 1e-5f);
        // The scores came from bfloat16 products: close to fp32's, not equal.
        double difference = (weights - reference).abs().max().ToDouble();
        Assert.InRange(difference, 1e-6, 5e-2);
    }

    [Fact]
    public void ALanguageModelUnderBf16MixedGivesFp32sLossWithinBf16RoundingAndFloat32Gradients()
    {
        manual_seed(5);
        var model = new GptModel(new GptConfig(VocabularySize: 50, ContextLength: 16, Width: 64, Layers: 2, Heads: 4));
        var ids = randint(0, 50, [4, 16]);
        var targets = randint(0, 50, [4, 16]);

        double Loss(Precision precision)
        {
            model.zero_grad();
            using var scope = MixedPrecision.Use(precision);
            var logits = model.Logits(model.Embed(ids));
            Assert.Equal(ScalarType.Float32, logits.dtype);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, 50), targets.reshape(-1));
            loss.backward();
            return loss.ToDouble();
        }

        double fp32 = Loss(Precision.Fp32);
        var fp32Grads = model.parameters().Select(p => p.grad!.clone()).ToList();
        double mixed = Loss(Precision.Bf16Mixed);

        Assert.NotEqual(fp32, mixed);
        Assert.Equal(fp32, mixed, fp32 * 1e-2);   // bfloat16 keeps 8 bits of mantissa: about 0.4% per product
        foreach (var (p, reference) in model.parameters().Zip(fp32Grads))
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);
            double relative = ((p.grad - reference).norm() / (reference.norm() + 1e-12)).ToDouble();
            Assert.True(relative < 0.1, $"a gradient moved by {relative:P1} under bf16-mixed");
        }
    }

    [Fact]
    public void TrainingUnderBf16MixedKeepsWeightsAndAdamsMomentsInFloat32()
    {
        var config = new TrainerConfig { Steps = 3, WarmupSteps = 0, EvalEvery = 0, CheckpointEvery = 0, Seed = 1 };
        List<double> fp32;
        using (var reference = new Trainer(config, () => new TeacherTask(seed: 1, dropout: 0))) fp32 = reference.Run().Select(r => r.Loss).ToList();
        using var trainer = new Trainer(config with { Precision = Precision.Bf16Mixed }, () => new TeacherTask(seed: 1, dropout: 0));
        var history = trainer.Run();

        Assert.NotEqual(fp32, history.Select(r => r.Loss));   // the products did run in bfloat16 ...
        Assert.All(history.Zip(fp32), p => Assert.Equal(p.Second, p.First.Loss, p.Second * 2e-2));   // ... within its rounding
        Assert.All(trainer.TrainingTask.Model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        var state = trainer.Optimizer.state_dict();
        var moments = state.State.SelectMany(s => s is TorchSharp.Modules.AdamW.State adam ? new[] { adam.exp_avg, adam.exp_avg_sq } : []).ToList();
        Assert.NotEmpty(moments);
        Assert.All(moments, m => Assert.Equal(ScalarType.Float32, m.dtype));
    }
}
