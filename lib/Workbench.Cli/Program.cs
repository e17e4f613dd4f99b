using System.Globalization;
using Workbench.Cli.Commands;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

return await CommandInvocation.InvokeAsync(WorkbenchCommand.Create(), args, Console.Error, CommandInvocation.DebugRequested());
