using System.Text.Json;
using Workbench.IO;

namespace Workbench.Tests.Training.Clip;

/// <summary>`workbench train clip`, `eval clip` and `embed` as a user runs them, on a tiny ShapesWorld run.</summary>
public sealed class ClipCommandsTests : IClassFixture<ClipCommandsTests.TrainedRun>
{
    public sealed class TrainedRun : IDisposable
    {
        public TempFolder Folder { get; } = new();
        public string Dir => Folder["run"];
        public Cli.Result Result { get; }

        public TrainedRun() => Result = Cli.Run("train", "clip", "--data", "shapes", "--preset", "quick", "--steps", "8", "--batch", "32",
            "--image-encoder", "cnn", "--conv-width", "8", "--out", Dir);

        public void Dispose() => Folder.Dispose();
    }

    readonly TrainedRun run;
    public ClipCommandsTests(TrainedRun run) => this.run = run;

    [Fact]
    public void TrainWritesCheckpointLogAndHeldOutMetrics()
    {
        Assert.True(run.Result.ExitCode == 0, run.Result.All);
        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Dir, "metrics.json"))).RootElement;
        foreach (var name in new[] { "retrieval_text_to_image_r1", "retrieval_image_to_text_r1", "baseline_other_image_text_to_image_r1" })
            Assert.InRange(metrics.GetProperty(name).GetDouble(), 0, 1);
        Assert.Equal(8, File.ReadLines(Path.Combine(run.Dir, "log.jsonl")).Count(l => l.Contains("\"loss\"")));
        Assert.NotNull(Workbench.Training.Checkpoint.Latest(run.Dir));
        Assert.Contains("retrieval_text_to_image_r1", run.Result.Stdout);
    }

    [Fact]
    public void RedirectedOutputShowsProgressAsPlainLinesNotALiveBar()
    {
        Assert.True(run.Result.ExitCode == 0, run.Result.All);
        var steps = run.Result.Stdout.Split('\n').Where(l => l.StartsWith("step ")).ToList();
        Assert.Equal(Enumerable.Range(1, 8).Select(s => $"step      {s}/8"), steps.Select(l => l.Split("  loss")[0]));   // 8 steps: a line each
        Assert.DoesNotContain('\r', run.Result.Stdout);
        Assert.DoesNotContain('\u001b', run.Result.Stdout);   // no escape codes from a live display
    }

    [Fact]
    public void EvalPrintsAndWritesTheSameMetrics()
    {
        var result = Cli.Run("eval", "clip", "--checkpoint", run.Dir);
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("retrieval_text_to_image_r1", result.Stdout);
    }

    [Fact]
    public void EmbedWritesOneRowPerImageOrText()
    {
        using var temp = new TempFolder();
        var images = Cli.Run("embed", "--checkpoint", run.Dir, "--data", "shapes", "--split", "test", "--out", temp["images.npy"]);
        Assert.True(images.ExitCode == 0, images.All);
        var (data, rows, columns) = NpyFile.Read(temp["images.npy"]);
        Assert.Equal(1000, rows);     // ShapesWorld's test split, in its own order
        Assert.Equal(128, columns);
        for (int r = 0; r < 3; r++)   // unit vectors
            Assert.Equal(1.0, Math.Sqrt(data.Skip(r * columns).Take(columns).Sum(v => (double)v * v)), 3);

        File.WriteAllLines(temp["texts.txt"], ["a red circle", "a small blue square at the top left", "two shapes"]);
        var texts = Cli.Run("embed", "--checkpoint", run.Dir, "--texts", temp["texts.txt"], "--out", temp["texts.npy"]);
        Assert.True(texts.ExitCode == 0, texts.All);
        Assert.Equal((3, 128), (NpyFile.Read(temp["texts.npy"]).Rows, NpyFile.Read(temp["texts.npy"]).Columns));
    }

    [Fact]
    public void EmbedTextsWarnsOnStderrNamingWordsOutsideTheVocabulary()
    {
        using var temp = new TempFolder();
        var vocabulary = Workbench.Text.WordTokenizer.Load(Path.Combine(run.Dir, "tokenizer.json")).Tokens.Skip(6).ToList();
        string known = string.Join(" ", vocabulary.Take(4));
        File.WriteAllLines(temp["known.txt"], [known]);
        var quiet = Cli.Run("embed", "--checkpoint", run.Dir, "--texts", temp["known.txt"], "--out", temp["known.npy"]);
        Assert.True(quiet.ExitCode == 0, quiet.All);
        Assert.DoesNotContain("warning", quiet.Stderr);

        File.WriteAllLines(temp["texts.txt"], [known, $"{vocabulary[0]} zebra {vocabulary[1]} trapezoid", $"zebra {vocabulary[2]}"]);
        var warned = Cli.Run("embed", "--checkpoint", run.Dir, "--texts", temp["texts.txt"], "--out", temp["texts.npy"]);
        Assert.True(warned.ExitCode == 0, warned.All);
        Assert.Contains("warning:", warned.Stderr);
        Assert.Contains("\"zebra\", \"trapezoid\" (line 2)", warned.Stderr);
        Assert.DoesNotContain("warning", warned.Stdout);
        Assert.Equal(3, NpyFile.Read(temp["texts.npy"]).Rows);   // a warning, not an error
    }

    [Fact]
    public void ACheckpointOfTheWrongShapeIsNamedWithTheMismatch()
    {
        using var temp = new TempFolder();
        string copy = temp["run"];
        CopyFolder(run.Dir, copy);
        // A vocabulary of another size: the text embedding table no longer fits the saved weights.
        var tokenizer = Workbench.Text.WordTokenizer.Build(["only a handful of words here"]);
        tokenizer.Save(Path.Combine(copy, "tokenizer.json"));

        var result = Cli.Run("eval", "clip", "--checkpoint", copy);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("model.bin", result.Stderr);
        Assert.Contains("embedding", result.Stderr);
    }

    [Fact]
    public void AFolderThatIsNotARunIsAClearError()
    {
        using var temp = new TempFolder();
        var result = Cli.Run("eval", "clip", "--checkpoint", temp.Path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("run.json is missing", result.Stderr);
    }

    static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(from, to));
    }
}
