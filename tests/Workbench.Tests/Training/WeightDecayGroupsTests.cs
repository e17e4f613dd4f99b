using TorchSharp;
using TorchSharp.Modules;
using Workbench.Training;
using static TorchSharp.torch;

namespace Workbench.Tests.Training;

public sealed class WeightDecayGroupsTests
{
    public WeightDecayGroupsTests()
    {
        torch.set_num_threads(1); // tiny models; see TrainerTests
    }

    sealed class Mixed : nn.Module<Tensor, Tensor>
    {
        readonly Embedding tokens = nn.Embedding(10, 4);
        readonly Linear proj = nn.Linear(4, 4);
        readonly LayerNorm norm = nn.LayerNorm(4);

        public Mixed() : base(nameof(Mixed)) => RegisterComponents();

        public override Tensor forward(Tensor ids) => norm.forward(proj.forward(tokens.forward(ids)));
    }

    sealed class WithRawParameters : nn.Module<Tensor, Tensor>
    {
        readonly Linear frozen = nn.Linear(4, 4);
        readonly Parameter positional_embedding = nn.Parameter(torch.zeros(3, 4));
        readonly Parameter logit_scale = nn.Parameter(torch.zeros(1));
        readonly Parameter text_projection = nn.Parameter(torch.zeros(4, 4));

        public WithRawParameters() : base(nameof(WithRawParameters))
        {
            RegisterComponents();
            foreach (var p in frozen.parameters()) p.requires_grad = false;
        }

        public override Tensor forward(Tensor x) => x.matmul(text_projection) * logit_scale + positional_embedding.sum();
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
    public void NamedEmbeddingsAndScalarsDoNotDecayAndFrozenParametersAreLeftOut()
    {
        using var model = new WithRawParameters();
        var groups = WeightDecayGroups.Split(model);
        Assert.Equal(["text_projection"], groups.Decay.Select(p => p.Name));
        Assert.Equal(new[] { "logit_scale", "positional_embedding" }, groups.NoDecay.Select(p => p.Name).Order());
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
