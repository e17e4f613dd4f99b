using System.Text.Json;
using Workbench.Models;
using Workbench.Runtime;
using Workbench.Training.Flamingo;
using Workbench.Training.Llava;
using Workbench.Training.Runs;

namespace Workbench.Tests.Runtime;

public class PreferredPrecisionTests
{
    // The first lines of /proc/cpuinfo on the two machines the figures were measured on, cut short.
    const string AvxBf16Cpu = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n" +
        "flags\t\t: fpu vme sse2 avx avx2 avx512f avx512bw avx512_bf16 clzero xsaveerptr\n" +
        "vmx flags\t: vnmi preemption_timer\nbugs\t\t: sysret_ss_attrs\n";
    const string Avx2OnlyCpu = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2 fma bmi2\nbugs\t\t: sysret_ss_attrs\n";

    [Fact]
    public void TheBfloat16FlagIsReadFromTheFlagsLineOnly()
    {
        Assert.Equal("avx512_bf16", PreferredPrecision.Bf16InstructionIn(AvxBf16Cpu));
        Assert.Equal("amx_bf16", PreferredPrecision.Bf16InstructionIn("flags\t: avx2 amx_tile amx_bf16 amx_int8\n"));
        Assert.Null(PreferredPrecision.Bf16InstructionIn(Avx2OnlyCpu));
        // A longer flag that merely starts with the name, and the name on another line, do not count.
        Assert.Null(PreferredPrecision.Bf16InstructionIn("flags\t: avx2 avx512_bf16x\nvmx flags\t: avx512_bf16\n"));
        Assert.Null(PreferredPrecision.Bf16InstructionIn(""));
    }

    [Theory]
    [InlineData(null, "avx512_bf16", Precision.Bf16Mixed)]
    [InlineData("", "avx512_bf16", Precision.Bf16Mixed)]
    [InlineData(" Auto ", "amx_bf16", Precision.Bf16Mixed)]
    [InlineData(null, null, Precision.Fp32)]
    [InlineData("auto", null, Precision.Fp32)]
    [InlineData("fp32", "avx512_bf16", Precision.Fp32)]
    [InlineData("bf16-mixed", null, Precision.Bf16Mixed)]
    public void AutoTakesBf16MixedOnlyWhereTheCpuHasTheInstructionsAndANamedPrecisionWins(string? setting, string? flag, Precision expected) =>
        Assert.Equal(expected, PreferredPrecision.Resolve(setting, flag));

    [Fact]
    public void AnUnknownSettingIsRefusedNamingTheVariableAndTheChoices()
    {
        var e = Assert.Throws<ArgumentException>(() => PreferredPrecision.Resolve("fp16", "avx512_bf16"));
        Assert.Equal("WORKBENCH_PRECISION='fp16': use auto, fp32 or bf16-mixed.", e.Message);
    }

    [Fact]
    public void EveryPresetAndItsPrerequisitesTakeThePreferredPrecisionAndRunJsonRecordsIt()
    {
        // The test host pins fp32 (TestHostEntry); a scope overrides it on this flow only.
        Assert.Equal(Precision.Fp32, PreferredPrecision.Current);
        foreach (string preset in new[] { Presets.Smoke, Presets.Quick, Presets.Full })
        {
            var fp32 = LlavaRunConfig.For("shapes", preset);
            Assert.Equal(Precision.Fp32, fp32.Trainer.Precision);
            Assert.DoesNotContain("bf16", RunJson(fp32));   // fp32 is left out of run.json: older runs keep their hashes
            LlavaRunConfig llava;
            FlamingoRunConfig flamingo;
            using (PreferredPrecision.Use(Precision.Bf16Mixed))
            {
                llava = LlavaRunConfig.For("shapes", preset);
                flamingo = FlamingoRunConfig.For("shapes", preset);
            }
            Assert.Equal(Precision.Fp32, PreferredPrecision.Current);
            Assert.All(new[] { llava.Trainer.Precision, llava.Vision.Precision, llava.Language.Trainer.Precision, llava.StageOne.Trainer.Precision,
                               flamingo.Trainer.Precision, flamingo.Vision.Precision, flamingo.Language.Trainer.Precision },
                p => Assert.Equal(Precision.Bf16Mixed, p));
            // Resolved when the preset is built: the configuration says bf16-mixed, never "auto", and reads back as it was.
            string json = RunJson(llava);
            Assert.Contains("\"bf16-mixed\"", json);
            Assert.DoesNotContain("auto", json);
            var read = JsonSerializer.Deserialize<LlavaRunConfig>(json, RunFolder.Json)!;
            Assert.Equal(json, RunJson(read));
            Assert.Equal(Precision.Bf16Mixed, read.Trainer.Precision);
            // The prerequisite cache keeps the two apart: a bf16-mixed tower is never handed to an fp32 run.
            Assert.NotEqual(PrerequisiteRuns.FolderFor(fp32.Vision), PrerequisiteRuns.FolderFor(llava.Vision));
            Assert.NotEqual(PrerequisiteRuns.FolderFor(fp32.Language), PrerequisiteRuns.FolderFor(llava.Language));
        }
    }

    static string RunJson(LlavaRunConfig config) => JsonSerializer.Serialize(config, RunFolder.Json);
}
