using TorchSharp;
using Workbench.IO;
using Workbench.Models;
using Workbench.Models.Language;
using Workbench.Models.Pretrained;
using static TorchSharp.torch;

namespace Workbench.Tests.Models.Pretrained;

public sealed class Gpt2CheckpointTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("workbench-gpt2-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // A property, not a field: a tensor kept across tests would be freed by the first test's dispose scope.
    static Tensor Ids => tensor(new long[,] { { 5, 17, 3, 96, 0, 41, 41, 8 }, { 1, 2, 3, 4, 5, 6, 7, 8 } });

    string Write(string name, IReadOnlyDictionary<string, Tensor> tensors, string? configJson = null)
    {
        string sub = Path.Combine(folder, Path.GetFileNameWithoutExtension(name) + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(sub);
        if (configJson is not null) File.WriteAllText(Path.Combine(sub, Gpt2Checkpoint.ConfigFile), configJson);
        string path = Path.Combine(sub, name);
        PythonStateDict.Write(path, tensors);
        return path;
    }

    [Fact]
    public void HuggingFacesOwnLayoutLoadsAndComputesWhatGpt2Computes()
    {
        using var scope = NewDisposeScope();
        var published = PublishedModels.RandomGpt2(seed: 1);
        // Width 32 would mean 0 heads by GPT-2's width / 64; config.json says 4.
        string path = Write("model.safetensors", published, """{"n_head": 4, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new"}""");

        using var model = Gpt2Checkpoint.Load(path);
        Assert.Equal(new GptConfig(97, 40, 32, 2, 4), model.Config);
        var expected = PublishedModels.Gpt2Logits(published, Ids, heads: 4);
        using var noGrad = no_grad();
        var actual = model.forward(Ids);
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-4), $"largest difference {(actual - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void AFineTunedExportWithPrefixAndLmHeadInHalfPrecisionLoadsToo()
    {
        using var scope = NewDisposeScope();
        var published = PublishedModels.RandomGpt2(seed: 2);
        var export = published.Where(kv => !kv.Key.EndsWith(".attn.bias") && !kv.Key.EndsWith(".attn.masked_bias"))
            .ToDictionary(kv => "transformer." + kv.Key, kv => kv.Value.to(ScalarType.Float16));
        export["lm_head.weight"] = export["transformer.wte.weight"];
        string path = Write("pytorch_model.bin", export, """{"n_head": 2}""");

        using var model = Gpt2Checkpoint.Load(path);
        Assert.Equal(2, model.Config.Heads);
        Assert.Equal(ScalarType.Float32, model.TokenEmbedding.dtype);
        // The reference runs on the same fp16-rounded values, in fp32.
        var rounded = published.ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Float16).to(ScalarType.Float32));
        var expected = PublishedModels.Gpt2Logits(rounded, Ids, heads: 2);
        using var noGrad = no_grad();
        Assert.True(model.forward(Ids).allclose(expected, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void WithoutAConfigTheHeadsAreTheWidthOver64()
    {
        using var scope = NewDisposeScope();
        var published = PublishedModels.RandomGpt2(seed: 3, width: 128, layers: 1);
        string path = Write("model.safetensors", published);
        using var model = Gpt2Checkpoint.Load(path);
        Assert.Equal(2, model.Config.Heads);
        Assert.Equal(Activation.GeluTanh, model.Config.Activation);
        using var noGrad = no_grad();
        Assert.True(model.forward(Ids).allclose(PublishedModels.Gpt2Logits(published, Ids, heads: 2), rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void ExtraTokensGrowTheEmbeddingTableFromTheMeanAndLeaveGpt2sTokensAsTheyWere()
    {
        using var scope = NewDisposeScope();
        var published = PublishedModels.RandomGpt2(seed: 4);
        string path = Write("model.safetensors", published, """{"n_head": 4}""");
        using var model = Gpt2Checkpoint.Load(path, extraTokens: 3);
        Assert.Equal(100, model.Config.VocabularySize);
        Assert.True(model.TokenEmbedding[..97].eq(published["wte.weight"]).all().item<bool>());
        var mean = published["wte.weight"].mean([0]);
        for (int row = 97; row < 100; row++) Assert.True(model.TokenEmbedding[row].allclose(mean, atol: 1e-6));
        using var noGrad = no_grad();
        var expected = PublishedModels.Gpt2Logits(published, Ids, heads: 4);
        Assert.True(model.forward(Ids)[.., .., ..97].allclose(expected, rtol: 1e-4, atol: 1e-4));
    }

    [Theory]
    [InlineData("gpt2.safetensors")]
    [InlineData("gpt2.pt")]
    public void TheWorkbenchsModelSavesInTheExportLayoutAndLoadsBackTheSame(string name)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(5);
        using var original = new GptModel(new GptConfig(61, ContextLength: 20, Width: 24, Layers: 2, Heads: 3));
        original.eval();
        string path = Path.Combine(folder, name);
        Gpt2Checkpoint.Save(original, path);

        var file = PythonStateDict.Read(path);
        Assert.Equal([24L, 72L], file["transformer.h.0.attn.c_attn.weight"].shape);        // Conv1D: (in, out)
        Assert.Equal([24L, 96L], file["transformer.h.1.mlp.c_fc.weight"].shape);
        Assert.True(file["lm_head.weight"].eq(file["transformer.wte.weight"]).all().item<bool>());
        // The file computes what GPT-2 computes, and the model loaded back computes the same.
        var ids = tensor(new long[,] { { 1, 9, 60, 2, 33 } });
        using var noGrad = no_grad();
        var expected = original.forward(ids);
        var unprefixed = Gpt2Checkpoint.Normalize(file);
        Assert.True(PublishedModels.Gpt2Logits(unprefixed, ids, heads: 3).allclose(expected, rtol: 1e-4, atol: 1e-5));
        using var loaded = Gpt2Checkpoint.Load(path);
        Assert.Equal(original.Config, loaded.Config);
        Assert.True(loaded.forward(ids).eq(expected).all().item<bool>());
    }

    [Fact]
    public void AMisfittingCheckpointListsEveryMissingUnexpectedAndMisshapenTensor()
    {
        using var scope = NewDisposeScope();
        var published = PublishedModels.RandomGpt2(seed: 6);
        published.Remove("h.1.ln_2.bias");
        published["h.0.mlp.c_fc.weight"] = zeros(32, 100);
        published["h.0.attn.extra"] = zeros(3);
        string path = Write("broken.safetensors", published, """{"n_head": 4}""");

        var error = Assert.Throws<CheckpointLayoutException>(() => Gpt2Checkpoint.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Equal(3, error.Problems.Count);
        Assert.Contains("missing h.1.ln_2.bias (expected [32])", error.Problems);
        Assert.Contains("h.0.mlp.c_fc.weight: expected [32, 128], found [32, 100]", error.Problems);
        Assert.Contains("unexpected h.0.attn.extra [3]", error.Problems);

        string notGpt2 = Write("other.safetensors", new Dictionary<string, Tensor> { ["encoder.weight"] = zeros(2, 2) });
        var missing = Assert.Throws<InvalidDataException>(() => Gpt2Checkpoint.Load(notGpt2));
        Assert.Contains("wte.weight", missing.Message);
        Assert.Contains(notGpt2, missing.Message);
    }
}
