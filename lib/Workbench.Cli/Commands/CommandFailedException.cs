namespace Workbench.Cli.Commands;

/// <summary>A command cannot do its work although every input is well formed (say, a split with no samples): exit code 1, the message on one line.</summary>
sealed class CommandFailedException(string message) : Exception(message);
