using System.Text.Json.Nodes;
using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

/// <summary>`workbench run` as a user runs it: a child process on notebooks written to a temporary folder.</summary>
public sealed class NotebookRunnerTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    static JsonArray Cells(string executed) => JsonNode.Parse(File.ReadAllText(executed))!["cells"]!.AsArray();

    static string OutputText(JsonNode cell) => string.Concat(cell["outputs"]!.AsArray().Select(o => o!.ToJsonString()));

    [Fact]
    public void FailingCellStopsTheRunAndIsNamed()
    {
        using var temp = new TempFolder();
        string notebook = new NotebookBuilder()
            .Markdown("# broken on purpose")
            .Code("Console.WriteLine(\"first cell ran\");")
            .Code("throw new InvalidOperationException(\"deliberate failure 42\");")
            .Code("Console.WriteLine(\"must not run\");")
            .Save(temp["broken.ipynb"]);

        var result = Cli.Run(temp.Path, Timeout, "run", notebook, "--out", temp["out"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("broken.ipynb: cell 3 failed", result.Stderr);
        Assert.Contains("deliberate failure 42", result.Stderr);
        var cells = Cells(temp["out/broken.ipynb"]);
        Assert.Contains("first cell ran", OutputText(cells[1]!));
        Assert.Contains("deliberate failure 42", OutputText(cells[2]!));
        Assert.Empty(cells[3]!["outputs"]!.AsArray());
    }

    [Fact]
    public void CompileErrorIsNamedWithItsCell()
    {
        using var temp = new TempFolder();
        string notebook = new NotebookBuilder().Code("int fine = 1;").Code("int x = \"text\";").Save(temp["typo.ipynb"]);
        var result = Cli.Run(temp.Path, Timeout, "run", notebook, "--out", temp["out"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("typo.ipynb: cell 2 failed", result.Stderr);
        Assert.Contains("CS0029", result.Stderr);
    }

    [Fact]
    public void ParamOverridesTheDefaultAndPresetSetsPreset()
    {
        using var temp = new TempFolder();
        string notebook = new NotebookBuilder()
            .Code("string preset = \"quick\";\nint steps = 1;", "parameters")
            .Code("Console.WriteLine($\"preset={preset} steps={steps}\");")
            .Save(temp["params.ipynb"]);

        var defaults = Cli.Run(temp.Path, Timeout, "run", notebook, "--out", temp["a"]);
        var overridden = Cli.Run(temp.Path, Timeout, "run", notebook, "--out", temp["b"], "--preset", "full", "--param", "steps=7");

        Assert.True(defaults.ExitCode == 0, defaults.All);
        Assert.True(overridden.ExitCode == 0, overridden.All);
        Assert.Contains("preset=quick steps=1", OutputText(Cells(temp["a/params.ipynb"]).Last()!));
        var cells = Cells(temp["b/params.ipynb"]);
        Assert.Contains("preset=full steps=7", OutputText(cells.Last()!));
        Assert.Contains("injected-parameters", cells[1]!["metadata"]!.ToJsonString());
    }

    [Fact]
    public void PrecisionSetsThePresetsPrecisionForTheNotebooksAndTheTimingTableNamesIt()
    {
        using var temp = new TempFolder();
        string notebook = new NotebookBuilder()
            .Code("string preset = \"quick\";", "parameters")
            .Code("Console.WriteLine($\"precision={Environment.GetEnvironmentVariable(\"WORKBENCH_PRECISION\")}\");")
            .Save(temp["precision.ipynb"]);

        // The test host sets WORKBENCH_PRECISION=fp32 for the processes it starts (TestHostEntry).
        var inherited = Cli.Run(temp.Path, Timeout, "run", notebook, "--out", temp["a"], "--preset", "smoke");
        var bf16 = Cli.Run(temp.Path, Timeout, "run", notebook, "--out", temp["b"], "--preset", "smoke", "--precision", "bf16-mixed");
        var wrong = Cli.Run(temp.Path, Timeout, "run", notebook, "--out", temp["c"], "--precision", "fp16");

        Assert.True(inherited.ExitCode == 0, inherited.All);
        Assert.True(bf16.ExitCode == 0, bf16.All);
        Assert.Contains("precision=fp32", OutputText(Cells(temp["a/precision.ipynb"]).Last()!));
        Assert.Contains("| notebook (smoke preset, fp32, ", inherited.Stdout);
        Assert.Contains("precision=bf16-mixed", OutputText(Cells(temp["b/precision.ipynb"]).Last()!));
        Assert.Contains("| notebook (smoke preset, bf16-mixed, ", bf16.Stdout);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("fp16", wrong.Stderr);
        Assert.False(Directory.Exists(temp["c"]));
    }

    [Fact]
    public void UnknownParamFailsBeforeRunning()
    {
        using var temp = new TempFolder();
        string notebook = new NotebookBuilder().Code("int steps = 1;", "parameters").Save(temp["p.ipynb"]);
        var result = Cli.Run(temp.Path, Timeout, "run", notebook, "--out", temp["out"], "--param", "stesp=3");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no parameter 'stesp'", result.Stderr);
    }

    [Fact]
    public void MissingNotebookIsAClearError()
    {
        using var temp = new TempFolder();
        var result = Cli.Run(temp.Path, Timeout, "run", temp["nope.ipynb"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Notebook not found", result.Stderr);
        Assert.Contains("nope.ipynb", result.Stderr);
    }

    [Fact]
    public void DibNotebooksRunToo()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["plain.dib"], "#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"name\":\"csharp\"}]}}\n\n#!csharp\n\n// parameters\nint n = 2;\n\n#!csharp\n\nConsole.WriteLine(n * 21);\n");
        var result = Cli.Run(temp.Path, Timeout, "run", temp["plain.dib"], "--out", temp["out"], "--param", "n=3");
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("63", OutputText(Cells(temp["out/plain.ipynb"]).Last()!));
    }

    [Fact]
    public void ADisplayUpdatedInPlaceKeepsOnlyItsLastValue()
    {
        using var temp = new TempFolder();
        string library = Path.Combine(Cli.RepoRoot, "artifacts", "workbench", "Workbench.dll");
        string notebook = new NotebookBuilder()
            .Code($"#r \"{library}\"\nvar live = Workbench.LiveDisplay.Show(\"progress 0\");\n" +
                  "for (int i = 1; i <= 3; i++) live.Update($\"progress {i}\", force: true);\nConsole.WriteLine($\"in notebook: {live.InNotebook}\");")
            .Save(temp["live.ipynb"]);

        var result = Cli.Run(temp.Path, Timeout, "run", notebook, "--out", temp["out"]);

        Assert.True(result.ExitCode == 0, result.All);
        string outputs = OutputText(Cells(temp["out/live.ipynb"])[0]!);
        Assert.Contains("progress 3", outputs);
        Assert.DoesNotContain("progress 0", outputs);
        Assert.DoesNotContain("progress 2", outputs);
        Assert.Contains("in notebook: True", outputs);
    }

    [Fact]
    public void TimingsReplaceOnlyTheMarkedRegionOfTheGivenFile()
    {
        using var temp = new TempFolder();
        string notebook = new NotebookBuilder().Code("string preset = \"quick\";", "parameters").Code("Console.WriteLine(preset);").Save(temp["timed.ipynb"]);
        string doc = temp["plan.md"];
        File.WriteAllText(doc, $"# Plan\n\nbefore\n{RunTimings.Begin}\nan old table\n{RunTimings.End}\nafter\n");

        var result = Cli.Run(temp.Path, Timeout, "run", notebook, "--out", temp["out"], "--preset", "smoke", "--timings", doc);

        Assert.True(result.ExitCode == 0, result.All);
        string text = File.ReadAllText(doc);
        Assert.StartsWith("# Plan\n\nbefore\n" + RunTimings.Begin + "\nMeasured by `./workbench run timed.ipynb --preset smoke --timings plan.md`", text);
        Assert.EndsWith(RunTimings.End + "\nafter\n", text);
        Assert.DoesNotContain("an old table", text);
        // The same table the command printed, with the notebook's row and a total.
        string printed = result.Stdout[result.Stdout.IndexOf("| notebook (smoke preset", StringComparison.Ordinal)..];
        string table = printed[..(printed.IndexOf("timing table written", StringComparison.Ordinal))];
        Assert.Contains(table, text);
        Assert.Matches(@"\| timed \| \d+\.\d \| \d+ \| ok \|", text);
        Assert.Matches(@"\| total \| \d+\.\d \| largest \d+ \| \|", text);
    }

    [Fact]
    public void SeveralNotebooksRunEachInAProcessOfItsOwnWithItsOwnPeakMemory()
    {
        using var temp = new TempFolder();
        // The first holds 400 MB to its end; in one shared process the second would start with them.
        string holds = new NotebookBuilder()
            .Code("var held = new byte[400_000_000];\nfor (int i = 0; i < held.Length; i += 4096) held[i] = 1;\nConsole.WriteLine($\"pid={Environment.ProcessId}\");")
            .Save(temp["a-holds.ipynb"]);
        string fails = new NotebookBuilder().Code("throw new InvalidOperationException(\"deliberate failure 7\");").Save(temp["b-fails.ipynb"]);
        string light = new NotebookBuilder().Code("Console.WriteLine($\"pid={Environment.ProcessId}\");").Save(temp["c-light.ipynb"]);

        var result = Cli.Run(temp.Path, Timeout, "run", holds, fails, light, "--out", temp["out"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("b-fails.ipynb: cell 1 failed", result.Stderr);
        Assert.Contains("deliberate failure 7", result.Stderr);
        string Pid(string executed) => System.Text.RegularExpressions.Regex.Match(OutputText(Cells(executed)[0]!), @"pid=(\d+)").Groups[1].Value;
        string first = Pid(temp["out/a-holds.ipynb"]), last = Pid(temp["out/c-light.ipynb"]);
        Assert.NotEqual("", first);
        Assert.NotEqual(first, last);   // the run went on after the failure, in a new process
        double Peak(string notebook, string status) =>
            double.Parse(System.Text.RegularExpressions.Regex.Match(result.Stdout, $@"\| {notebook} \| \d+\.\d \| (\d+) \| {status} \|").Groups[1].Value);
        double heavy = Peak("a-holds", "ok"), lightPeak = Peak("c-light", "ok");
        Assert.True(heavy - lightPeak > 300, $"peaks: a-holds {heavy} MB, c-light {lightPeak} MB\n{result.Stdout}");
        Assert.Matches($@"\| b-fails \| \d+\.\d \| \d+ \| failed \|", result.Stdout);
        Assert.Contains($"| total | ", result.Stdout);
        Assert.Contains($"| largest {heavy:F0} | |", result.Stdout);
    }

    [Fact]
    public void TimingsIntoAFileWithoutMarkersAreRefusedBeforeAnyNotebookRuns()
    {
        using var temp = new TempFolder();
        string notebook = new NotebookBuilder().Code("Console.WriteLine(\"must not run\");").Save(temp["n.ipynb"]);
        File.WriteAllText(temp["README.md"], "# A document that must stay as it is\n");

        var result = Cli.Run(temp.Path, Timeout, "run", notebook, "--out", temp["out"], "--timings", temp["README.md"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("README.md: the file has no generated timing region", result.Stderr);
        Assert.Equal("# A document that must stay as it is\n", File.ReadAllText(temp["README.md"]));
        Assert.False(File.Exists(temp["out/n.ipynb"]));
    }

    [Fact]
    public void TheFacilitatorsPlanHasTheGeneratedRegion()
    {
        string plan = File.ReadAllText(Path.Combine(Cli.RepoRoot, "docs", "workshop.md"));
        int begin = plan.IndexOf(RunTimings.Begin, StringComparison.Ordinal), end = plan.IndexOf(RunTimings.End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "docs/workshop.md lacks the workbench run --timings markers");
        // Filled by the command over the whole sequence with the quick preset, not typed.
        string region = plan[begin..end];
        Assert.Contains("Measured by `./workbench run notebooks --preset quick --timings docs/workshop.md`", region);
        foreach (var notebook in Directory.GetFiles(Path.Combine(Cli.RepoRoot, "notebooks"), "*.ipynb").Select(Path.GetFileNameWithoutExtension))
            Assert.Matches($@"\| {notebook} \| \d+\.\d \| \d+ \| ok \|", region);
        Assert.Matches(@"\| total \| \d+\.\d \| largest \d+ \| \|", region);
    }
}
