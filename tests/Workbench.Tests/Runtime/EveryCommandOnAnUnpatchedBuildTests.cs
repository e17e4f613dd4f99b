using Workbench.Cli.Commands;

namespace Workbench.Tests.Runtime;

/// <summary>What one `workbench` command did when started against the native library as shipped.</summary>
/// <param name="Result">Its exit code and output.</param>
/// <param name="Fixed">Whether the library no longer requires a marker version afterwards (the fix was applied).</param>
public sealed record UnpatchedRun(Cli.Result Result, bool Fixed);

/// <summary>
/// An unpatched copy of the build folder, and a tiny CLIP run that `train clip` made from it (once per test class:
/// `eval clip` and `embed` read it).
/// </summary>
public sealed class UnpatchedBuildWithClipRun : IDisposable
{
    public UnpatchedBuildFolder Build { get; } = new();

    public UnpatchedBuildWithClipRun()
    {
        TrainingArguments = ["train", "clip", "--data", "shapes", "--steps", "2", "--batch", "32", "--out", RunFolder];
        if (Build.SkipReason is not null) return;
        File.WriteAllLines(Texts, ["a red circle", "two blue squares"]);
        new NotebookBuilder()
            .Code($"#r \"{Path.Combine(Build.Folder, "Workbench.dll")}\"\n#r \"{Path.Combine(Build.Folder, "TorchSharp.dll")}\"\nWorkbench.Notebook.Setup()")
            .Code("var model = new Workbench.Models.Clip.ClipModel(Workbench.Models.Clip.ClipConfig.Quick(50, 2));\nmodel.parameters().Count()")
            .Save(Notebook);
        Training = RunUnpatched(TrainingArguments);
        LanguageTraining = RunUnpatched(LanguageTrainingArguments);
        LlavaTraining = RunUnpatched(LlavaTrainingArguments);
        FlamingoTraining = RunUnpatched(FlamingoTrainingArguments);
    }

    /// <summary>A seconds-long language-model run (`eval lm` and `generate` read it).</summary>
    public string[] LanguageTrainingArguments => ["train", "lm", "--data", "shapes", "--preset", "smoke", "--out", LanguageRunFolder];
    /// <summary>A seconds-long LLaVA run (its prerequisites are smoke runs too; `eval llava` reads it).</summary>
    public string[] LlavaTrainingArguments => ["train", "llava", "--data", "shapes", "--preset", "smoke", "--out", LlavaRunFolder];
    /// <summary>A seconds-long Flamingo run over the same smoke prerequisites (`eval flamingo` reads it).</summary>
    public string[] FlamingoTrainingArguments => ["train", "flamingo", "--data", "shapes", "--preset", "smoke", "--every", "2", "--latents", "4", "--out", FlamingoRunFolder];
    /// <summary>What training Flamingo did.</summary>
    public UnpatchedRun? FlamingoTraining { get; }
    /// <summary>The Flamingo run folder.</summary>
    public string FlamingoRunFolder => Build.Scratch("flamingo");
    /// <summary>What training the language model did.</summary>
    public UnpatchedRun? LanguageTraining { get; }
    /// <summary>What training LLaVA did.</summary>
    public UnpatchedRun? LlavaTraining { get; }
    /// <summary>The language-model run folder.</summary>
    public string LanguageRunFolder => Build.Scratch("lm");
    /// <summary>The LLaVA run folder.</summary>
    public string LlavaRunFolder => Build.Scratch("llava");

    /// <summary>The `train clip` invocation whose run the other commands read.</summary>
    public string[] TrainingArguments { get; }
    /// <summary>What training did.</summary>
    public UnpatchedRun? Training { get; }
    /// <summary>The run folder `eval clip` and `embed` read.</summary>
    public string RunFolder => Build.Scratch("run");
    /// <summary>Texts for `embed --texts`.</summary>
    public string Texts => Build.Scratch("texts.txt");
    /// <summary>A two-cell notebook that loads the copy's library and builds a model, for `run`.</summary>
    public string Notebook => Build.Scratch("tiny.ipynb");

    /// <summary>Installs the native library as shipped, checks that it is, and runs the copy's `workbench` in a fresh process.</summary>
    public UnpatchedRun RunUnpatched(string[] args)
    {
        Build.Install(Build.Unpatched);
        Assert.True(Build.RequiresMarkers());
        var result = Build.Run(args);
        return new UnpatchedRun(result, !Build.RequiresMarkers());
    }

    public void Dispose() => Build.Dispose();
}

/// <summary>
/// Every `workbench` subcommand runs in a fresh process against a build folder whose TorchSharp native library is as
/// shipped (a rebuild copies it back), so the fix must come from the CLI's entry, whatever the command touches first.
/// </summary>
public sealed class EveryCommandOnAnUnpatchedBuildTests(UnpatchedBuildWithClipRun fixture) : IClassFixture<UnpatchedBuildWithClipRun>
{
    /// <summary>One valid, fast invocation per leaf command. A new subcommand fails <see cref="EveryLeafHasAnInvocation"/> until it is added.</summary>
    static readonly IReadOnlyDictionary<string, Func<UnpatchedBuildWithClipRun, string[]>> Invocations =
        new Dictionary<string, Func<UnpatchedBuildWithClipRun, string[]>>
        {
            ["run"] = f => ["run", f.Notebook, "--out", f.Build.Scratch("executed")],
            ["doctor"] = _ => ["doctor"],
            ["data show"] = f => ["data", "show", "shapes", "--count", "4", "--out", f.Build.Scratch("grid.png")],
            ["data stats"] = _ => ["data", "stats", "shapes", "--count", "50"],
            ["bench data"] = _ => ["bench", "data", "--samples", "200", "--repeats", "1", "--steps", "1", "--batch", "8"],
            ["bench feature-cache"] = _ => ["bench", "feature-cache", "--batch", "2", "--repeats", "1"],
            ["bench clip"] = _ => ["bench", "clip", "--batch", "2", "--width", "16", "--layers", "1", "--steps", "1"],
            ["bench lm"] = _ => ["bench", "lm", "--batch", "2", "--width", "16", "--layers", "1", "--steps", "1"],
            ["bench llava"] = _ => ["bench", "llava", "--batch", "2", "--width", "16", "--layers", "1", "--steps", "1"],
            ["bench flamingo"] = _ => ["bench", "flamingo", "--batch", "2", "--width", "16", "--layers", "1", "--steps", "1", "--precision", "bf16-mixed"],
            ["bench all"] = _ => ["bench", "all", "--batch", "2", "--width", "16", "--layers", "1", "--steps", "1", "--json"],
            ["bench host"] = _ => ["bench", "host", "clip", "--image-encoder", "cnn", "--batch", "2", "--width", "16", "--layers", "1", "--steps", "20"],
            ["train clip"] = f => f.TrainingArguments, // run once by the fixture: the others need its run folder
            ["eval clip"] = f => ["eval", "clip", "--checkpoint", f.RunFolder],
            ["embed"] = f => ["embed", "--checkpoint", f.RunFolder, "--texts", f.Texts, "--out", f.Build.Scratch("texts.npy")],
            ["train lm"] = f => f.LanguageTrainingArguments, // run once by the fixture, as train clip
            ["eval lm"] = f => ["eval", "lm", "--checkpoint", f.LanguageRunFolder],
            ["train llava"] = f => f.LlavaTrainingArguments,
            ["eval llava"] = f => ["eval", "llava", "--checkpoint", f.LlavaRunFolder],
            ["train flamingo"] = f => f.FlamingoTrainingArguments,
            ["eval flamingo"] = f => ["eval", "flamingo", "--checkpoint", f.FlamingoRunFolder],
            ["generate"] = f => ["generate", "--checkpoint", f.LanguageRunFolder, "--prompt", "a red", "--max-tokens", "2", "--greedy"],
            ["sweep"] = f => ["sweep", Path.Combine(Cli.RepoRoot, "sweeps", "clip-batch-temperature.json"), "--out", f.Build.Scratch("sweep"), "--emit", "slurm"],
            ["workshop make"] = f => ["workshop", "make", f.Notebook, "--out", f.Build.Scratch("workshop-make")],
            ["workshop check"] = f =>
            {
                Workbench.Notebooks.Workshop.WorkshopCopies.Make([f.Notebook], f.Build.Scratch("workshop-check"));
                return ["workshop", "check", f.Build.Scratch("workshop-check")];
            },
            ["workshop bundle"] = f => ["workshop", "bundle", "--out", f.Build.Scratch("bundle")],
        };

    public static TheoryData<string> Leaves() => new(WorkbenchCommand.Leaves().Select(l => string.Join(' ', l.Path)));

    [Fact]
    public void EveryLeafHasAnInvocation() =>
        Assert.Equal(WorkbenchCommand.Leaves().Select(l => string.Join(' ', l.Path)).Order(), Invocations.Keys.Order());

    [SkippableTheory]
    [MemberData(nameof(Leaves))]
    public void RunsWithTheNativeLibraryAsShipped(string leaf)
    {
        fixture.Build.SkipUnlessAvailable();
        Assert.True(Invocations.TryGetValue(leaf, out var invocation), $"`workbench {leaf}` has no invocation in {nameof(Invocations)}.");
        var args = invocation(fixture);
        Assert.Equal(leaf.Split(' '), args.Take(leaf.Split(' ').Length));

        // The training commands ran once in the fixture (the other commands read their runs); their results are checked here.
        var (result, fixedIt) = leaf switch
        {
            "train clip" => fixture.Training!,
            "train lm" => fixture.LanguageTraining!,
            "train llava" => fixture.LlavaTraining!,
            "train flamingo" => fixture.FlamingoTraining!,
            _ => fixture.RunUnpatched(args),
        };

        Assert.True(result.ExitCode == 0, $"workbench {string.Join(' ', args)} exited {result.ExitCode}:\n{result.All}");
        Assert.DoesNotContain("DllNotFoundException", result.All);
        Assert.DoesNotContain("TypeInitializationException", result.All);
        // The entry applied the fix before the command ran, whatever the command does (or does not do) with tensors.
        if (UnpatchedBuildFolder.HostNeedsTheFix()) Assert.True(fixedIt);
    }

    [SkippableFact]
    public void WhenTheFixCannotHelpACommandFailsWithOneMessageNamingTheMissingVersion()
    {
        fixture.Build.SkipUnlessAvailable();
        // A library that needs a C++ runtime newer than any: marking versions weak cannot make it load.
        fixture.Build.Install(ElfEdits.RenameVersion(fixture.Build.Unpatched, "GLIBCXX_3.4.29", "GLIBCXX_9.9.99"));

        var embed = fixture.Build.Run("embed", "--checkpoint", fixture.RunFolder, "--texts", fixture.Texts, "--out", fixture.Build.Scratch("never.npy"));
        var help = fixture.Build.Run("--help");

        Assert.True(embed.ExitCode == 1, embed.All);
        Assert.Contains("GLIBCXX_9.9.99", embed.Stderr);
        Assert.Contains(fixture.Build.NativeLibrary, embed.Stderr);
        Assert.DoesNotContain("Exception", embed.All);
        Assert.DoesNotContain("   at ", embed.All);
        Assert.False(File.Exists(fixture.Build.Scratch("never.npy")));
        Assert.True(help.ExitCode == 0, help.All); // help needs no native library
    }
}
