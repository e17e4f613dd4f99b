using Workbench.Data.Files;
using Workbench.Runtime;
using Workbench.Training;

namespace Workbench.Cli.Commands;

/// <summary>What every command shares: bad input prints its message (naming the file and the problem) and exits 2.</summary>
static class Cli
{
    public static int Guard(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
                                   or FormatException or ImageDecodeException or CheckpointMismatchException or TorchLoadException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine(e.Message);
            return 3;
        }
    }
}
