using System.CommandLine;

namespace Workbench.Cli.Commands;

/// <summary>The whole <c>workbench</c> command tree. Tests walk it, so every new subcommand is covered by the CLI-wide tests.</summary>
public static class WorkbenchCommand
{
    /// <summary>Builds the root command with every subcommand.</summary>
    public static RootCommand Create()
    {
        var train = TrainCommand.Create();
        foreach (var command in LanguageCommands.TrainCommands()) train.Subcommands.Add(command);
        var eval = TrainCommand.CreateEval();
        foreach (var command in LanguageCommands.EvalCommands()) eval.Subcommands.Add(command);
        return new RootCommand("Multimodal Workbench: CLIP, LLaVA and Flamingo in C# notebooks.")
        {
            RunCommand.Create(),
            DoctorCommand.Create(),
            DataCommand.Create(),
            BenchCommand.Create(),
            train,
            eval,
            EmbedCommand.Create(),
            LanguageCommands.Generate(),
            SweepCommand.Create(),
            WorkshopCommand.Create(),
        };
    }

    /// <summary>Every leaf command (one that runs something) with its path from the root, e.g. <c>["data", "show"]</c>.</summary>
    public static IReadOnlyList<(IReadOnlyList<string> Path, Command Command)> Leaves(Command? root = null)
    {
        var leaves = new List<(IReadOnlyList<string>, Command)>();
        void Walk(Command command, List<string> path)
        {
            if (command.Subcommands.Count == 0)
            {
                leaves.Add((path.ToArray(), command));
                return;
            }
            foreach (var sub in command.Subcommands) Walk(sub, [.. path, sub.Name]);
        }
        Walk(root ?? Create(), []);
        return leaves;
    }
}
