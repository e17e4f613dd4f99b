using Workbench.Data.Files;
using Workbench.Models.Pretrained;
using Workbench.Runtime;
using Workbench.Training;

namespace Workbench.Cli.Commands;

/// <summary>
/// What every command shares: an expected error (a bad value, a missing or damaged file, a run that cannot go on)
/// prints its message on one line and exits with a code. Anything else is a bug; it propagates to
/// <see cref="CommandInvocation"/>, which names the command and the error in one line.
/// </summary>
static class Cli
{
    /// <summary>Exit code of bad input: a usage error, a value that fails its check, a missing or malformed file.</summary>
    public const int BadInput = 2;
    /// <summary>Exit code of a command that could not do its work (an empty split, an I/O error, a bug).</summary>
    public const int Failed = 1;
    /// <summary>Exit code of a training run whose loss diverged.</summary>
    public const int Diverged = 3;

    /// <summary>Runs a command's work: 0 when it finishes, the error's exit code (and its message on stderr) when it fails as expected.</summary>
    public static int Guard(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (ExitCodeOf(e) is int code)
        {
            Console.Error.WriteLine(OneLine(e.Message));
            return code;
        }
    }

    /// <summary>The exit code of an expected error; null for anything else (a bug).</summary>
    public static int? ExitCodeOf(Exception e) => e switch
    {
        TrainingDivergedException => Diverged,
        CommandFailedException => Failed,
        ArgumentException or FormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
            or ImageDecodeException or CheckpointMismatchException or CheckpointLayoutException or TorchLoadException => BadInput,
        IOException or UnauthorizedAccessException => Failed,
        _ => null,
    };

    /// <summary>A message on one line: a multi-line explanation's lines joined, so logs and terminals show one error line.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
