using TorchSharp;
using TorchSharp.Modules;
using Workbench.Models;
using Workbench.Models.Clip;
using Workbench.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Workbench.Tests.Training;

public sealed class WeightDecayGroupsTests
{
    readonly ITestOutputHelper output;

    public WeightDecayGroupsTests(ITestOutputHelper output)
    {
        torch.set_num_threads(1); // tiny models; see TrainerTests
        this.output = output;
    }

    sealed class Mixed : nn.Module<Tensor, Tensor>
    {
        readonly Embedding tokens = nn.Embedding(10, 4);
        readonly Linear proj = nn.Linear(4, 4);
        readonly LayerNorm norm = nn.LayerNorm(4);

        public Mixed() : base(nameof(Mixed)) => RegisterComponents();

        public override Tensor forward(Tensor ids) => norm.forward(proj.forward(tokens.forward(ids)));
    }

    /// <summary>An attention-like module with a fused raw input projection it declares, and a raw bias it does not.</summary>
    sealed class FusedProjection : nn.Module<Tensor, Tensor>, IHasWeightMatrices
    {
        Parameter in_proj_weight = nn.Parameter(torch.randn(12, 4));
        Parameter in_proj_bias = nn.Parameter(torch.zeros(12));
        Parameter gate = nn.Parameter(torch.zeros(3, 4));   // raw and two-dimensional, but not a weight matrix: no decay

        public FusedProjection() : base(nameof(FusedProjection)) => RegisterComponents();

        public IEnumerable<string> WeightMatrixNames => ["in_proj_weight"];

        public override Tensor forward(Tensor x) => nn.functional.linear(x, in_proj_weight, in_proj_bias) + gate.sum();
    }

    /// <summary>Every name says the opposite of what its module is, so a rule by name fragments would get each wrong.</summary>
    sealed class MisleadinglyNamed : nn.Module<Tensor, Tensor>
    {
        readonly Conv2d patch_embedding = nn.Conv2d(3, 4, kernel_size: 2, stride: 2);
        readonly ConvTranspose2d position_upsampler = nn.ConvTranspose2d(4, 4, kernel_size: 2, stride: 2, bias: false);
        readonly Embedding projection = nn.Embedding(10, 4);
        readonly Linear logit_scale = nn.Linear(4, 4);
        readonly FusedProjection attention = new();
        readonly Linear frozen = nn.Linear(4, 4);
        Parameter text_projection = nn.Parameter(torch.zeros(4, 4));   // raw and not declared by this module: no decay

        public MisleadinglyNamed() : base(nameof(MisleadinglyNamed))
        {
            RegisterComponents();
            foreach (var p in frozen.parameters()) p.requires_grad = false;
        }

        public override Tensor forward(Tensor x) => x;
    }

    /// <summary>A module with one raw parameter, <c>raw</c>, that declares <c>declaredName</c> a weight matrix.</summary>
    sealed class Declaring : nn.Module<Tensor, Tensor>, IHasWeightMatrices
    {
        readonly string declaredName;
        Parameter raw;

        public Declaring(string declaredName, Tensor raw) : base(nameof(Declaring))
        {
            this.declaredName = declaredName;
            this.raw = nn.Parameter(raw);
            RegisterComponents();
        }

        public IEnumerable<string> WeightMatrixNames => [declaredName];

        public override Tensor forward(Tensor x) => x * raw.sum();
    }

    [Fact]
    public void OnlyTheLinearWeightDecaysBesideLayerNormAndEmbedding()
    {
        using var model = new Mixed();
        var groups = WeightDecayGroups.Split(model);
        Assert.Equal(["proj.weight"], groups.Decay.Select(p => p.Name));
        Assert.Equal(new[] { "norm.bias", "norm.weight", "proj.bias", "tokens.weight" }, groups.NoDecay.Select(p => p.Name).Order());
    }

    [Fact]
    public void ModuleTypesAndDeclaredWeightMatricesDecideNotNames()
    {
        using var model = new MisleadinglyNamed();
        var groups = WeightDecayGroups.Split(model);
        Assert.Equal(new[] { "attention.in_proj_weight", "logit_scale.weight", "patch_embedding.weight", "position_upsampler.weight" },
                     groups.Decay.Select(p => p.Name).Order());
        Assert.Equal(new[] { "attention.gate", "attention.in_proj_bias", "logit_scale.bias", "patch_embedding.bias", "projection.weight", "text_projection" },
                     groups.NoDecay.Select(p => p.Name).Order());
    }

    [Fact]
    public void DeclaringAMissingOrOneDimensionalWeightMatrixIsAnError()
    {
        using var missing = new Declaring("in_proj_weight", torch.zeros(4, 4));
        var e = Assert.Throws<ArgumentException>(() => WeightDecayGroups.Split(missing));
        Assert.Contains("Declaring", e.Message);
        Assert.Contains("'in_proj_weight'", e.Message);
        Assert.Contains("raw", e.Message);   // names what it does own

        using var vector = new Declaring("raw", torch.zeros(4));
        e = Assert.Throws<ArgumentException>(() => WeightDecayGroups.Split(vector));
        Assert.Contains("'raw'", e.Message);
        Assert.Contains("1 dimension", e.Message);
    }

    /// <summary>
    /// The rule worked out from module types alone, by parameter identity (the address of its values, not its name or rank): the weight of every
    /// Linear and convolution, and what a module declares through <see cref="IHasWeightMatrices"/>.
    /// </summary>
    /// <summary>The address of a tensor's values: the same parameter, whatever wrapper returns it.</summary>
    static IntPtr Address(Tensor values) => values.storage<float>().data_ptr();

    static HashSet<IntPtr> ExpectedDecaying(nn.Module model)
    {
        var addresses = new HashSet<IntPtr>();
        foreach (var module in model.modules().Prepend(model))
        {
            Tensor?[] weights = module switch
            {
                Linear linear => [linear.weight],
                Conv1d conv => [conv.weight],
                Conv2d conv => [conv.weight],
                Conv3d conv => [conv.weight],
                IHasWeightMatrices declared => declared.WeightMatrixNames.Select(n => (Tensor?)module.get_parameter(n)).ToArray(),
                _ => [],
            };
            foreach (var weight in weights.OfType<Tensor>()) addresses.Add(Address(weight));
        }
        return addresses;
    }

    static ClipModel SmallClip(string imageEncoder) => new(
        ClipConfig.Quick(vocabularySize: 40, endOfTextId: 2, contextLength: 8, imageSize: 16) with
        {
            ImageEncoder = imageEncoder,
            Vision = new VisionTransformerConfig(ImageSize: 16, PatchSize: 4, Width: 32, Layers: 2, Heads: 2),
            Conv = new ConvImageEncoderConfig(BaseWidth: 8, Blocks: 2, ImageSize: 16, FlattenWidth: 32),
            Text = new TextTransformerConfig(40, 2, ContextLength: 8, Width: 32, Layers: 2, Heads: 2),
            EmbedDim = 24,
        });

    [Theory]
    [InlineData(ImageEncoders.Vit)]
    [InlineData(ImageEncoders.Cnn)]
    public void EveryClipParameterIsGroupedByItsModulesType(string imageEncoder)
    {
        using var model = SmallClip(imageEncoder);
        var groups = WeightDecayGroups.Split(model);
        output.WriteLine($"decay:    {string.Join(", ", groups.Decay.Select(p => p.Name))}");
        output.WriteLine($"no decay: {string.Join(", ", groups.NoDecay.Select(p => p.Name))}");

        var expected = ExpectedDecaying(model);
        foreach (var (name, parameter) in groups.Decay)
            Assert.True(expected.Contains(Address(parameter)), $"{name} decays, but its module is neither a Linear, a convolution nor declares it");
        foreach (var (name, parameter) in groups.NoDecay)
            Assert.False(expected.Contains(Address(parameter)), $"{name} does not decay, but it is the weight of a Linear or convolution or declared");
        Assert.Equal(model.parameters().Count(), groups.Decay.Count + groups.NoDecay.Count);
        Assert.Equal(expected.Count, groups.Decay.Count);

        var noDecay = groups.NoDecay.Select(p => Address(p.Parameter)).ToHashSet();
        Assert.Contains(Address(model.LogitScale), noDecay);
        Assert.All(model.modules().OfType<Embedding>(), e => Assert.Contains(Address(e.weight!), noDecay));
        Assert.All(model.modules().OfType<LayerNorm>(), n => Assert.Contains(Address(n.weight!), noDecay));
    }

    [Fact]
    public void TheVitPatchEmbeddingDecaysAndItsPositionEmbeddingDoesNot()
    {
        using var model = SmallClip(ImageEncoders.Vit);
        var vit = (VisionTransformer)model.ImageEncoder;
        var groups = WeightDecayGroups.Split(model);

        var patchConvolution = vit.modules().OfType<Conv2d>().Single();
        var (patchName, _) = groups.Decay.Single(p => Address(p.Parameter) == Address(patchConvolution.weight!));
        output.WriteLine($"patch embedding: {patchName}");

        // The position table: the encoder's own raw parameter, one row per patch plus the class token.
        long[] positionShape = [vit.Config.PatchCount + 1, vit.Config.Width];
        var position = vit.named_parameters(recurse: false).Single(p => p.parameter.shape.SequenceEqual(positionShape)).parameter;
        var (positionName, _) = groups.NoDecay.Single(p => Address(p.Parameter) == Address(position));
        output.WriteLine($"position embedding: {positionName}");
    }

    [Fact]
    public void TheOptimizerDecaysTheFirstGroupOnly()
    {
        var config = new TrainerConfig { Steps = 1, WeightDecay = 0.25 };
        using var trainer = new Trainer(config, () => new TeacherTask(seed: 1));
        var groups = trainer.Optimizer.ParamGroups.Cast<AdamW.ParamGroup>().ToList();
        Assert.Equal(2, groups.Count);
        Assert.Equal(0.25, groups[0].Options.weight_decay);
        Assert.Equal(0.0, groups[1].Options.weight_decay);
        Assert.Equal(2, groups[0].Parameters.Count());   // layer1.weight, layer2.weight
        Assert.Equal(2, groups[1].Parameters.Count());   // the two biases
    }
}
