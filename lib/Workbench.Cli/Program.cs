using System.CommandLine;
using System.Globalization;
using Workbench.Cli.Commands;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var root = new RootCommand("Multimodal Workbench: CLIP, LLaVA and Flamingo in C# notebooks.")
{
    RunCommand.Create(),
    DoctorCommand.Create(),
    DataCommand.Create(),
    BenchCommand.Create(),
    TrainCommand.Create(),
    TrainCommand.CreateEval(),
    EmbedCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
