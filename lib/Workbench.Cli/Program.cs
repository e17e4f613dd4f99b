using System.Globalization;
using Workbench.Cli.Commands;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

return await WorkbenchCommand.Create().Parse(args).InvokeAsync();
