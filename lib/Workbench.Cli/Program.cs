using System.CommandLine;
using System.Globalization;
using Workbench.Cli.Commands;
using Workbench.Runtime;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var parsed = WorkbenchCommand.Create().Parse(args);
// Any command may build tensors, so TorchSharp's native library is loaded here, before any of them runs, and a
// failure is one message naming the cause. Help and usage errors need no native library.
bool runsACommand = parsed.Errors.Count == 0 && parsed.Action is { } action && action == parsed.CommandResult.Command.Action;
if (runsACommand)
{
    try
    {
        TorchRuntime.EnsureLoaded();
    }
    catch (TorchLoadException e)
    {
        Console.Error.WriteLine(e.Message);
        return 1;
    }
}
return await parsed.InvokeAsync();
