using TorchSharp;
using Workbench.Models.Clip;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Workbench.Tests.Models;

public sealed class ClipModelTests
{
    const int Vocabulary = 40, EndOfText = 1;
    readonly ITestOutputHelper output;

    public ClipModelTests(ITestOutputHelper output)
    {
        this.output = output;
    }

    /// <summary>A model small enough for unit tests: width 32, one layer, 16×16 images.</summary>
    static ClipConfig Tiny(string imageEncoder = ImageEncoders.Vit) =>
        ClipConfig.Quick(Vocabulary, EndOfText, contextLength: 8, imageSize: 16) with
        {
            ImageEncoder = imageEncoder,
            Vision = new VisionTransformerConfig(ImageSize: 16, PatchSize: 4, Width: 32, Layers: 1, Heads: 2),
            Conv = new ConvImageEncoderConfig(BaseWidth: 8, Blocks: 2),
            Text = new TextTransformerConfig(Vocabulary, EndOfText, ContextLength: 8, Width: 32, Layers: 1, Heads: 2),
            EmbedDim = 24,
        };

    static Tensor RandomTokens(int batch, Generator generator)
    {
        var tokens = randint(3, Vocabulary, [batch, 8], dtype: ScalarType.Int64, generator: generator);
        tokens[.., 6] = tensor((long)EndOfText);
        tokens[.., 7] = tensor(0L);
        return tokens;
    }

    static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());

    [Fact]
    public void VisionTransformerAndCnnGiveOneFeatureVectorPerImage()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var images = randn(2, 3, 32, 32);
        using var vit = new VisionTransformer(new VisionTransformerConfig(Layers: 2));
        using var cnn = new ConvImageEncoder(new ConvImageEncoderConfig());

        Assert.Equal(new long[] { 2, 128 }, vit.forward(images).shape);
        Assert.Equal(new long[] { 2, 64 }, cnn.forward(images).shape);   // two blocks: 32 then 64 channels, average-pooled
        Assert.Equal(64, cnn.OutputWidth);
    }

    [Theory]
    [InlineData(ImageEncoders.Vit)]
    [InlineData(ImageEncoders.Cnn)]
    public void ForwardGivesUnitEmbeddingsAndImageByTextLogits(string imageEncoder)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        var generator = new Generator(2);
        using var model = new ClipModel(Tiny(imageEncoder));
        var images = randn(3, 3, 16, 16, generator: generator);
        var tokens = RandomTokens(3, generator);

        var e = model.Encode(images, tokens);
        var logits = model.forward(images, tokens);

        Assert.Equal(new long[] { 3, 24 }, e.Images.shape);
        Assert.Equal(new long[] { 3, 24 }, e.Texts.shape);
        Assert.True(e.Images.norm(1).allclose(ones(3), atol: 1e-5));
        Assert.True(e.Texts.norm(1).allclose(ones(3), atol: 1e-5));
        Assert.Equal(new long[] { 3, 3 }, logits.shape);
        Assert.True(logits.allclose(e.Images.matmul(e.Texts.t()) / 0.07, atol: 1e-4));
    }

    [Fact]
    public void LogitScaleStartsAtCLipsTemperatureAndIsClampedAtLn100()
    {
        using var scope = NewDisposeScope();
        using var model = new ClipModel(Tiny());
        Assert.Equal(Math.Log(1 / 0.07), model.LogitScale.item<float>(), 1e-5);

        var stored = model.named_parameters().Single(p => p.name == "logit_scale").parameter;
        using (no_grad()) stored.fill_(10.0);
        model.ClampLogitScale();
        Assert.Equal(Math.Log(100), model.LogitScale.item<float>(), 1e-5);

        using (no_grad()) stored.fill_(3.0);
        model.ClampLogitScale();
        Assert.Equal(3.0, model.LogitScale.item<float>(), 1e-6);
    }

    [Fact]
    public void SigmoidModelsStartAtSigLipsTemperatureAndBias()
    {
        using var scope = NewDisposeScope();
        using var model = new ClipModel(Tiny() with { Loss = ContrastiveLossKind.Sigmoid });
        Assert.Equal(Math.Log(10), model.LogitScale.item<float>(), 1e-5);
        Assert.Equal(-10.0, model.LogitBias!.item<float>(), 1e-6);
        Assert.Contains(model.named_parameters(), p => p.name == "logit_bias");
        using var infoNce = new ClipModel(Tiny());
        Assert.Null(infoNce.LogitBias);
        Assert.DoesNotContain(infoNce.named_parameters(), p => p.name == "logit_bias");
    }

    [Fact]
    public void EachTowerNamesItsParametersAsOpenClipDoes()
    {
        // Inside each tower the names are OpenCLIP's (a checkpoint loader maps `text.` to OpenCLIP's top level and the
        // bias-free projection layers to its `proj` / `text_projection` matrices).
        using var model = new ClipModel(Tiny());
        var names = model.state_dict().Keys.ToHashSet();
        string[] expected =
        [
            "visual.conv1.weight", "visual.class_embedding", "visual.positional_embedding",
            "visual.transformer.resblocks.0.ln_1.weight", "visual.transformer.resblocks.0.attn.in_proj_weight",
            "visual.transformer.resblocks.0.attn.in_proj_bias", "visual.transformer.resblocks.0.attn.out_proj.weight",
            "visual.transformer.resblocks.0.ln_2.bias", "visual.transformer.resblocks.0.mlp.c_fc.weight",
            "visual.transformer.resblocks.0.mlp.c_proj.bias", "visual.ln_post.weight",
            "text.token_embedding.weight", "text.positional_embedding", "text.transformer.resblocks.0.attn.out_proj.bias",
            "text.ln_final.weight", "image_projection.weight", "text_projection.weight", "logit_scale",
        ];
        Assert.All(expected, name => Assert.Contains(name, names));
        Assert.DoesNotContain("image_projection.bias", names);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void UnknownImageEncoderNamesTheChoices()
    {
        var e = Assert.Throws<ArgumentException>(() => new ClipModel(Tiny("resnet")));
        Assert.Contains("'resnet'", e.Message);
        Assert.Contains("vit", e.Message);
        Assert.Contains("cnn", e.Message);
    }

    [Fact]
    public void PresetsHaveTheAdvertisedSizes()
    {
        // A vocabulary of 1,000 ids and 32×32 images, as the synthetic-scenes tasks use.
        long Count(ClipConfig config)
        {
            using var model = new ClipModel(config);
            return ParameterCount(model);
        }
        var quick = ClipConfig.Quick(1000, EndOfText);
        var full = ClipConfig.Full(1000, EndOfText);
        long quickVit = Count(quick), quickCnn = Count(quick with { ImageEncoder = ImageEncoders.Cnn });
        long fullVit = Count(full), fullCnn = Count(full with { ImageEncoder = ImageEncoders.Cnn });
        output.WriteLine($"quick vit {quickVit:N0}  quick cnn {quickCnn:N0}  full vit {fullVit:N0}  full cnn {fullCnn:N0} parameters");

        Assert.InRange(quickVit, 1_000_000, 2_000_000);
        Assert.True(fullVit > 2 * quickVit, $"full {fullVit} vs quick {quickVit}");
        Assert.Equal(4, quick.Vision.PatchSize);
        Assert.Equal(4, ClipConfig.Quick(1000, EndOfText, imageSize: 28).Vision.PatchSize);
    }

    [Fact]
    public void AFewOptimizerStepsLowerTheLossOnATinyBatch()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        var generator = new Generator(3);
        using var model = new ClipModel(Tiny());
        var images = randn(4, 3, 16, 16, generator: generator);
        var tokens = RandomTokens(4, generator);
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-3);

        double initial = model.Loss(images, tokens).item<float>();
        for (int step = 0; step < 3; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            model.Loss(images, tokens).backward();
            optimizer.step();
            model.ClampLogitScale();
        }
        double after = model.Loss(images, tokens).item<float>();

        output.WriteLine($"loss {initial:F4} -> {after:F4}");
        Assert.True(after < initial, $"loss {initial} -> {after}");
    }
}

public sealed class ConvImageEncoderTests
{
    [Fact]
    public void TheFlattenedHeadSeesWhereThingsAreAndTheAveragePoolDoesNot()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        // The same blob in two places, shifted by a multiple of the total pooling stride and away from the borders:
        // average pooling over a translation-equivariant stack cannot tell them apart, the flattening layer can.
        var a = TorchSharp.torch.zeros(1, 3, 32, 32); a[.., .., 8..12, 8..12] = TorchSharp.torch.ones(1, 3, 4, 4);
        var b = TorchSharp.torch.zeros(1, 3, 32, 32); b[.., .., 16..20, 16..20] = TorchSharp.torch.ones(1, 3, 4, 4);
        TorchSharp.torch.manual_seed(0);
        var pooled = new ConvImageEncoder(new ConvImageEncoderConfig(BaseWidth: 4, Blocks: 2));
        var flat = new ConvImageEncoder(new ConvImageEncoderConfig(BaseWidth: 4, Blocks: 2, ImageSize: 32, FlattenWidth: 8));
        var pooledGap = (pooled.forward(a) - pooled.forward(b)).abs().max().item<float>();
        var flatGap = (flat.forward(a) - flat.forward(b)).abs().max().item<float>();
        Assert.True(pooledGap < 1e-5, $"average pool distinguishes them by {pooledGap}");
        Assert.True(flatGap > 1e-3, $"flattened head distinguishes them by only {flatGap}");
        Assert.Equal(8, flat.OutputWidth);
    }
}
