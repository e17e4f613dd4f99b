using Workbench.Cli.Commands;

namespace Workbench.Tests.CliTree;

/// <summary>The command tree the CLI-wide tests walk is the one the `workbench` executable parses.</summary>
public sealed class CommandTreeTests
{
    [Fact]
    public void LeavesAreTheCommandsTheHelpListsOneLevelDown()
    {
        var leaves = WorkbenchCommand.Leaves().Select(l => string.Join(' ', l.Path)).ToList();
        Assert.Contains("data show", leaves);
        Assert.Contains("train clip", leaves);
        Assert.Contains("doctor", leaves);
        Assert.Equal(leaves.Count, leaves.Distinct().Count());

        // Every top-level command in the real executable's help is the first word of some leaf.
        var help = Cli.Run("--help");
        Assert.Equal(0, help.ExitCode);
        var listed = help.Stdout.Split('\n').SkipWhile(l => !l.StartsWith("Commands:")).Skip(1)
            .Where(l => l.StartsWith("  ") && l.Trim().Length > 0).Select(l => l.Trim().Split(' ')[0]).ToList();
        Assert.NotEmpty(listed);
        Assert.Equal(listed.OrderBy(s => s), leaves.Select(l => l.Split(' ')[0]).Distinct().OrderBy(s => s));
    }
}
