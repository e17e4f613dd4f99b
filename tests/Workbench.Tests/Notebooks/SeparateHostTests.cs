using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Workbench.Tests.Notebooks;

/// <summary>
/// The notebooks' first cell must work in the kernel VS Code runs (an out-of-process .NET Interactive host with its
/// own FSharp.Core and formatters), not only in `workbench run`. dotnet-repl drives that kernel from the command line.
/// </summary>
public sealed class SeparateHostTests
{
    [SkippableFact]
    public void WelcomeRunsInDotnetRepl()
    {
        string repl = Path.Combine(Cli.RepoRoot, "artifacts", "tools", "dotnet-repl");
        Skip.IfNot(File.Exists(repl), "dotnet-repl is not installed (./workbench setup --test installs it)");
        using var temp = new TempFolder();
        var info = new ProcessStartInfo(repl)
        {
            WorkingDirectory = Path.Combine(Cli.RepoRoot, "notebooks"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "--run", "00-welcome.ipynb", "--exit-after-run", "--output-path", temp["out.ipynb"] }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "dotnet-repl did not finish");

        var cells = JsonNode.Parse(File.ReadAllText(temp["out.ipynb"]))!["cells"]!.AsArray();
        var errors = cells.SelectMany(c => c!["outputs"]?.AsArray() ?? []).Where(o => (string?)o!["output_type"] == "error")
            .Select(o => (string?)o!["evalue"]).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors) + stdout.Result + stderr.Result);
        string all = cells.ToJsonString();
        Assert.Contains("workbench-chart", all);
        Assert.Contains("TorchSharp", all);
        Assert.Contains("data:image/png;base64", all);
    }
}
