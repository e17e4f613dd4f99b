using System.Text.Json.Nodes;
using Workbench.Notebooks.Workshop;

namespace Workbench.Tests.Teaching;

/// <summary>`workbench workshop make`'s copies: no solution text for students, solutions for the facilitator, no outputs, working library references.</summary>
public sealed class WorkshopCopiesTests
{
    static readonly string[] ExerciseNotebooks = ["02-clip.ipynb", "04-llava.ipynb", "05-flamingo.ipynb"];

    static string Notebook(string name) => Path.Combine(Cli.RepoRoot, "notebooks", name);

    static IEnumerable<JsonNode> Cells(string path) => ((JsonArray)JsonNode.Parse(File.ReadAllText(path))!["cells"]!).OfType<JsonNode>();

    /// <summary>The lines of a cell that say something (not blank, not a lone brace), trimmed.</summary>
    static IEnumerable<string> Telling(string source) =>
        source.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 3 && l is not "{" and not "}");

    [Fact]
    public void StudentCopiesHoldNoSolutionTextAndFacilitatorCopiesKeepEverySolution()
    {
        using var temp = new TempFolder();
        var copies = WorkshopCopies.Make(ExerciseNotebooks.Select(Notebook).ToList(), temp.Path);

        Assert.Equal(["clip-infonce", "clip-zero-shot"], copies[0].Exercises);
        Assert.Equal(["llava-splice", "llava-loss-mask"], copies[1].Exercises);
        Assert.Equal(["flamingo-media-mask", "flamingo-tanh-gate"], copies[2].Exercises);
        foreach (var copy in copies)
        {
            var solutions = Cells(copy.Source).Where(c => WorkshopCopies.Tags(c).Contains("solution")).Select(WorkshopCopies.Source).ToList();
            Assert.Equal(copy.Exercises.Count, solutions.Count);
            // Only lines that the stubs do not share: the solutions' bodies.
            var stubs = Cells(copy.Source).Where(c => WorkshopCopies.Tags(c).Contains("exercise")).SelectMany(c => Telling(WorkshopCopies.Source(c))).ToHashSet();
            var solutionLines = solutions.SelectMany(Telling).Where(l => !stubs.Contains(l)).ToList();
            Assert.True(solutionLines.Count >= 6, string.Join("\n", solutionLines));

            string student = File.ReadAllText(copy.Student), facilitator = File.ReadAllText(copy.Facilitator);
            var studentCode = string.Join("\n", Cells(copy.Student).Select(WorkshopCopies.Source));
            var facilitatorCode = string.Join("\n", Cells(copy.Facilitator).Select(WorkshopCopies.Source));
            Assert.All(solutionLines, l => Assert.DoesNotContain(l, studentCode));
            Assert.All(solutionLines, l => Assert.Contains(l, facilitatorCode));
            Assert.DoesNotContain("\"solution\"", student);
            // The stubs are in the student's copy, and every other cell of the source is in both copies.
            Assert.Equal(Cells(copy.Source).Count() - solutions.Count, Cells(copy.Student).Count());
            Assert.Equal(Cells(copy.Source).Count(), Cells(copy.Facilitator).Count());
            Assert.Equal(copy.Exercises.Count, Cells(copy.Student).Count(c => WorkshopCopies.Source(c).Contains("throw new NotImplementedException")));
            // No outputs; the library references resolve from where the copies are.
            foreach (var path in new[] { copy.Student, copy.Facilitator })
            {
                Assert.All(Cells(path).Where(c => (string?)c["cell_type"] == "code"), c => Assert.Empty((JsonArray)c["outputs"]!));
                var references = Cells(path).SelectMany(c => WorkshopCopies.Source(c).Split('\n')).Where(l => l.StartsWith("#r \"")).Select(l => l[4..l.LastIndexOf('"')]).ToList();
                Assert.NotEmpty(references);
                Assert.All(references, r => Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, r)), $"{path}: {r} does not resolve"));
            }
        }
    }

    [Fact]
    public void ReferencesAreRewrittenRelativeToTheCopysFolder()
    {
        string code = "#r \"../artifacts/workbench/Workbench.dll\"\n#r \"nuget: Foo, 1.0\"\n#r \"/abs/X.dll\"\nvar x = 1;";
        string rewritten = WorkshopCopies.RewriteReferences(code, "/repo/notebooks", "/tmp/out/student");
        Assert.Equal("#r \"../../../repo/artifacts/workbench/Workbench.dll\"\n#r \"nuget: Foo, 1.0\"\n#r \"/abs/X.dll\"\nvar x = 1;", rewritten);
    }

    [Fact]
    public void MisplacedTagsAMalformedFileAndAnUnknownExerciseFailNamingTheFile()
    {
        using var temp = new TempFolder();
        string orphan = new NotebookBuilder().Code("int a = 1;").Code("int a = 2;", "solution").Save(temp["orphan.ipynb"]);
        string lonely = new NotebookBuilder().Code("void F() => throw new NotImplementedException();", "exercise").Code("F();").Save(temp["lonely.ipynb"]);
        string unknown = new NotebookBuilder().Code("Exercise.Check(\"no-such-exercise\", F)").Save(temp["unknown.ipynb"]);
        File.WriteAllText(temp["broken.ipynb"], "{ \"cells\": [ ");

        var e1 = Assert.Throws<InvalidDataException>(() => WorkshopCopies.Make([orphan], temp["out"]));
        Assert.Contains("orphan.ipynb", e1.Message);
        Assert.Contains("cell 2", e1.Message);
        Assert.Contains("lonely.ipynb", Assert.Throws<InvalidDataException>(() => WorkshopCopies.Make([lonely], temp["out"])).Message);
        var e3 = Assert.Throws<InvalidDataException>(() => WorkshopCopies.Make([unknown], temp["out"]));
        Assert.Contains("no-such-exercise", e3.Message);
        Assert.Contains("unknown.ipynb", e3.Message);
        Assert.Contains("broken.ipynb", Assert.Throws<InvalidDataException>(() => WorkshopCopies.Make([temp["broken.ipynb"]], temp["out"])).Message);
        Assert.Contains("missing.ipynb", Assert.Throws<FileNotFoundException>(() => WorkshopCopies.Make([temp["missing.ipynb"]], temp["out"])).Message);
        Assert.False(Directory.Exists(temp["out"]));   // nothing is written when any notebook is wrong
    }

    [Fact]
    public void CheckReportsStubsAsExpectedAndAFacilitatorSolutionThatIsWrong()
    {
        using var temp = new TempFolder();
        string library = Path.Combine(Cli.RepoRoot, "artifacts", "workbench");
        // One notebook, two exercises: the first solution is right, the second (one direction only) is wrong.
        new NotebookBuilder()
            .Code($"#r \"{Path.Combine(library, "Workbench.dll")}\"\n#r \"{Path.Combine(library, "TorchSharp.dll")}\"\nWorkbench.Notebook.Setup()")
            .Code("string preset = \"quick\";", "parameters")
            .Code("using TorchSharp;\nusing static TorchSharp.torch;\nusing Workbench.Teaching;")
            .Code("Tensor MyInfoNce(Tensor similarity, double scale)\n{\n    throw new NotImplementedException();\n}", "exercise")
            .Code("""
                Tensor MyInfoNce(Tensor similarity, double scale)
                {
                    var t = arange(similarity.shape[0], dtype: ScalarType.Int64);
                    return (nn.functional.cross_entropy(scale * similarity, t) + nn.functional.cross_entropy(scale * similarity.T, t)) / 2;
                }
                """, "solution")
            .Code("Exercise.Check(\"clip-infonce\", MyInfoNce)")
            .Code("Tensor MyZeroShot(Tensor images, Tensor prompts) => throw new NotImplementedException();", "exercise")
            .Code("Tensor MyZeroShot(Tensor images, Tensor prompts) => images.matmul(prompts.mean([1]).T).argmax(1);", "solution")
            .Code("Exercise.Check(\"clip-zero-shot\", MyZeroShot)")
            .Code("Console.WriteLine($\"the notebook goes on with preset {preset}\");")
            .Save(temp["tiny.ipynb"]);

        var make = Cli.Run(temp.Path, TimeSpan.FromMinutes(2), "workshop", "make", temp["tiny.ipynb"], "--out", temp["copies"]);
        Assert.True(make.ExitCode == 0, make.All);
        var check = Cli.RunBuild(Cli.Dll, temp.Path, TimeSpan.FromMinutes(5), OneTorchThread.Environment, "workshop", "check", temp["copies"]);

        Assert.True(check.ExitCode == 1, check.All);
        Assert.Matches(@"student/tiny\.ipynb +clip-infonce +not-implemented \(expected\)", check.Stdout);
        Assert.Matches(@"student/tiny\.ipynb +clip-zero-shot +not-implemented \(expected\)", check.Stdout);
        Assert.Matches(@"facilitator/tiny\.ipynb +clip-infonce +passed \(expected\)", check.Stdout);
        Assert.Matches(@"facilitator/tiny\.ipynb +clip-zero-shot +failed\n", check.Stdout);
        Assert.Contains("facilitator/tiny.ipynb: exercise clip-zero-shot: failed, expected passed", check.Stderr);
        Assert.Contains("1 of 2 copies not as expected", check.Stdout);
        Assert.DoesNotContain("student/", check.Stderr);   // the stubs stopped nothing: the student copy ran to its last cell
        Assert.DoesNotContain("stopped", check.Stderr);    // nor did the wrong solution stop the facilitator's
    }
}
