using System.Text.Json.Nodes;

namespace Workbench.Tests.Data;

/// <summary>notebooks/01-data.ipynb as a reader runs it.</summary>
public sealed class DataNotebookTests
{
    [Fact]
    public void TheOwnFilesCellShowsWhichImagesWereLeftOutAndWhy()
    {
        using var temp = new TempFolder();
        var result = Cli.Run(Cli.RepoRoot, TimeSpan.FromMinutes(5), "run", "notebooks/01-data.ipynb", "--preset", "quick", "--out", temp.Path);
        Assert.True(result.ExitCode == 0, result.All);

        var cells = JsonNode.Parse(File.ReadAllText(temp["01-data.ipynb"]))!["cells"]!.AsArray();
        var ownFiles = cells.Single(c => (string?)c!["cell_type"] == "code" && c["source"]!.ToJsonString().Contains("new ImageTextFolder"))!;
        string html = string.Concat(ownFiles["outputs"]!.AsArray()
            .Select(o => o!["data"]?["text/html"] is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)o!["data"]?["text/html"]));

        Assert.Contains("workbench-image-folder-report", html);
        Assert.Contains("captions.csv: 5 images listed, 3 usable, 2 skipped", html);
        Assert.Contains("broken.png", html);
        Assert.Contains("not a recognised image format", html);
        Assert.Contains("never-saved.png", html);
        Assert.Contains("image file not found", html);
    }
}
