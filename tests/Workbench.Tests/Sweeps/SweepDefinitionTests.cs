using Workbench.Sweeps;
using Workbench.Training;
using Workbench.Training.Clip;
using Workbench.Training.Flamingo;
using Workbench.Training.Llava;
using Workbench.Training.Runs;

namespace Workbench.Tests.Sweeps;

/// <summary>A sweep's trials are the product of its axes and seeds; every wrong name or value fails before anything runs, named.</summary>
public sealed class SweepDefinitionTests
{
    static SweepDefinition Clip(params SweepAxis[] axes) => new()
    {
        Source = "test.json", Method = "clip", Data = "shapes", Preset = "smoke", Set = ["Steps=8"], Axes = axes, Seeds = [0, 1],
    };

    [Fact]
    public void TrialsAreEveryCombinationOfAxisValuesWithEverySeedSeedsOutermost()
    {
        var trials = Clip(SweepAxis.Of("BatchSize", 16, 32), SweepAxis.Of("LearnTemperature", true, false)).Trials();

        Assert.Equal(8, trials.Count);
        Assert.Equal(Enumerable.Range(0, 8), trials.Select(t => t.Index));
        Assert.Equal(8, trials.Select(t => t.Name).Distinct().Count());
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], trials.Select(t => t.Seed));
        Assert.Equal("001_BatchSize-16_LearnTemperature-false_seed-0", trials[1].Name);
        Assert.Equal(["Steps=8", "BatchSize=16", "LearnTemperature=false"], trials[1].Settings);
        Assert.Equal(["train", "clip", "--data", "shapes", "--preset", "smoke", "--seed", "1", "--out", "d",
                      "--set", "Steps=8", "--set", "BatchSize=32", "--set", "LearnTemperature=true"], trials[6].TrainArguments("d", resume: false));
    }

    [Fact]
    public void AnUnknownAxisNameFailsNamingItAndTheFile()
    {
        var error = Assert.Throws<ArgumentException>(() => Clip(SweepAxis.Of("BatchSise", 16, 32)).Trials());
        Assert.Contains("test.json", error.Message);
        Assert.Contains("BatchSise", error.Message);
        Assert.Contains("BatchSize", error.Message);   // the settings it could have meant
    }

    [Fact]
    public void AValueThatDoesNotFitItsSettingFailsNamingAxisAndValue()
    {
        var error = Assert.Throws<ArgumentException>(() => Clip(SweepAxis.Of("LearnTemperature", true, "sometimes")).Trials());
        Assert.Contains("axis \"LearnTemperature\" value \"sometimes\"", error.Message);
        Assert.DoesNotContain("value \"true\"", error.Message);
    }

    [Fact]
    public void AnUnknownMethodFailsNamingItAndTheMethodsThatExist()
    {
        var sweep = Clip(SweepAxis.Of("method", "llava", "blip")) with { Set = [] };
        var error = Assert.Throws<ArgumentException>(() => sweep.Trials());
        Assert.Contains("blip", error.Message);
        Assert.Contains("clip, lm, llava, flamingo", error.Message);
    }

    [Fact]
    public void TrainerSettingsOutOfRangeFailBeforeAnythingRuns()
    {
        var error = Assert.Throws<ArgumentException>(() => Clip(SweepAxis.Of("Steps", 4, 0)).Trials());
        Assert.Contains("axis \"Steps\" value \"0\"", error.Message);
        Assert.Contains("Steps must be at least 1", error.Message);
    }

    [Fact]
    public void AMethodAxisVariesTheMethodAndItsSettingsAreCheckedAgainstEachMethodsRecord()
    {
        var sweep = new SweepDefinition
        {
            Method = "llava", Preset = "smoke",
            Axes = [SweepAxis.Of("Projector", "linear", "mlp2x_gelu"), SweepAxis.Of("Trainer.Steps", 4, 8)],
        };
        var trials = sweep.Trials();
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal("llava", t.Method));
        Assert.Equal(["Projector=linear", "Trainer.Steps=8"], trials[1].Settings);

        // CLIP has no projector: a method axis that adds clip names the clash.
        var error = Assert.Throws<ArgumentException>(() => (sweep with { Axes = [SweepAxis.Of("method", "llava", "clip"), SweepAxis.Of("Projector", "linear")] }).Trials());
        Assert.Contains("Projector", error.Message);
        Assert.Contains("(clip)", error.Message);
    }

    [Fact]
    public void ASweepFileReadsAxesInOrderAndRefusesUnknownFieldsNamingTheFile()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["good.json"], """
            { "method": "clip", "preset": "smoke", "set": { "Steps": 8, "LearnTemperature": false },
              "axes": { "TrainSamples": [100, 1000], "ImageEncoder": ["cnn", "vit"] }, "seeds": [3] }
            """);
        var sweep = SweepDefinition.Load(temp["good.json"]);
        Assert.Equal("good", sweep.Name);
        Assert.Equal(["Steps=8", "LearnTemperature=false"], sweep.Set);
        Assert.Equal(["TrainSamples", "ImageEncoder"], sweep.Axes.Select(a => a.Name));
        Assert.Equal(["cnn", "vit"], sweep.Axes[1].Values);
        Assert.Equal(4, sweep.Trials().Count);

        File.WriteAllText(temp["typo.json"], """{ "method": "clip", "axis": { "Steps": [1] } }""");
        var error = Assert.Throws<InvalidDataException>(() => SweepDefinition.Load(temp["typo.json"]));
        Assert.Contains("typo.json", error.Message);
        Assert.Contains("axis", error.Message);

        File.WriteAllText(temp["empty-axis.json"], """{ "axes": { "Steps": [] } }""");
        Assert.Contains("\"Steps\" must be a non-empty list", Assert.Throws<InvalidDataException>(() => SweepDefinition.Load(temp["empty-axis.json"])).Message);
    }

    [Fact]
    public void TheExampleSweepFilesOfTheRepositoryAreValid()
    {
        var files = Directory.GetFiles(Path.Combine(Cli.RepoRoot, "sweeps"), "*.json");
        Assert.NotEmpty(files);
        foreach (var file in files) Assert.NotEmpty(SweepDefinition.Load(file).Trials());
    }
    [Fact]
    public void ThePrecisionSweepSetsASettingThatRunJsonLeavesOutAtItsDefault()
    {
        var sweep = SweepDefinition.Load(Path.Combine(Cli.RepoRoot, "sweeps", "precision.json"));
        var configs = sweep.Trials().Select(t => (ClipRunConfig)TrainableMethods.Named(t.Method).Configure(t.Data, t.Preset, t.Seed, t.Settings)).ToList();
        Assert.Equal(6, configs.Count);
        Assert.Equal(3, configs.Count(c => c.Precision == Workbench.Models.Precision.Bf16Mixed));
        Assert.All(configs, c => Assert.Equal(c.Precision, c.Trainer.Precision));
        // fp32 is left out of run.json, so configurations from before the setting keep their hashes; bf16-mixed is written.
        Assert.DoesNotContain("Precision", System.Text.Json.JsonSerializer.Serialize(configs.First(c => c.Precision == Workbench.Models.Precision.Fp32), RunFolder.Json));
        Assert.Contains("\"Precision\": \"bf16-mixed\"", System.Text.Json.JsonSerializer.Serialize(configs.First(c => c.Precision == Workbench.Models.Precision.Bf16Mixed), RunFolder.Json));
    }

    [Fact]
    public void NotebookSixSweepFilesVaryTheirVisionLanguageSettingsAndShareOnePairOfPrerequisitesAcrossSeeds()
    {
        SweepDefinition File(string name) => SweepDefinition.Load(Path.Combine(Cli.RepoRoot, "sweeps", name));
        IMethodConfig[] Configs(SweepDefinition sweep) =>
            sweep.Trials().Select(t => TrainableMethods.Named(t.Method).Configure(t.Data, t.Preset, t.Seed, t.Settings)).ToArray();

        // The quick file runs one seed (notebook 06's ten minutes); full adds seeds, which must share the prerequisites.
        var quick = File("flamingo-resampler.json");
        Assert.Equal([0], quick.Seeds);
        var resampler = quick with { Seeds = [0, 1] };
        var flamingo = Configs(resampler).Cast<FlamingoRunConfig>().ToArray();
        Assert.Equal([1, 1, 2, 2, 1, 1, 2, 2], flamingo.Select(c => c.CrossAttentionEvery));
        Assert.Equal([4, 16, 4, 16, 4, 16, 4, 16], flamingo.Select(c => c.Latents));
        Assert.Equal([0L, 0, 0, 0, 1, 1, 1, 1], flamingo.Select(c => c.Trainer.Seed));
        Assert.All(flamingo, c => Assert.Equal(60, c.Trainer.Steps));
        // The pinned prerequisite seeds: every trial stands on one tower and one language model.
        Assert.Single(flamingo.Select(c => PrerequisiteRuns.FolderFor(c.Vision)).Distinct());
        Assert.Single(flamingo.Select(c => PrerequisiteRuns.FolderFor(c.Language)).Distinct());
        var unpinned = Configs(resampler with { Set = [.. resampler.Set.Where(s => !s.StartsWith("Vision.") && !s.StartsWith("Language."))] })
            .Cast<FlamingoRunConfig>();
        Assert.Equal(2, unpinned.Select(c => PrerequisiteRuns.FolderFor(c.Language)).Distinct().Count());

        // Compute and data on LLaVA, which learns within these budgets (Flamingo's gates have not opened by 160 steps). The
        // compute trials share one stage-1 run with the method comparison: the same settings but the stage-2 steps.
        var data = Configs(File("vlm-data.json")).Cast<LlavaRunConfig>().ToArray();
        Assert.Equal([125, 500, 2000], data.Select(c => c.TrainSamples));
        var compute = Configs(File("vlm-compute.json")).Cast<LlavaRunConfig>().ToArray();
        Assert.Equal([20L, 40, 80, 160], compute.Select(c => c.Trainer.Steps));
        var llavaInMethods = Configs(File("vlm-architecture.json")).OfType<LlavaRunConfig>().First();
        Assert.Single(compute.Append(llavaInMethods).Select(c => PrerequisiteRuns.FolderFor(c.StageOne)).Distinct());
        Assert.Equal(["linear", "mlp2x_gelu"], Configs(File("llava-projector.json")).Cast<LlavaRunConfig>().Select(c => c.Projector));
        Assert.Equal(["llava", "flamingo", "llava", "flamingo"], Configs(File("vlm-architecture.json")).Select(c => c.Method));
        // The resampler against none, at 600 steps and 2e-3 as measured (README, "Where Flamingo loses the question's object").
        var noResampler = Configs(File("flamingo-no-resampler.json")).Cast<FlamingoRunConfig>().ToArray();
        Assert.Equal([0, 2, 0, 2, 0, 2], noResampler.Select(c => c.ResamplerDepth));
        Assert.All(noResampler, c => Assert.Equal((600L, 2e-3), (c.Trainer.Steps, c.Trainer.LearningRate)));
        Assert.Single(noResampler.Select(c => PrerequisiteRuns.FolderFor(c.Language)).Distinct());
    }
}
