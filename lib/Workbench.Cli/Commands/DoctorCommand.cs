using System.CommandLine;
using Workbench.Runtime;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench doctor</c>: versions, threads, devices, the native fix and data sets.</summary>
static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check the environment: .NET, TorchSharp and LibTorch versions, threads, devices, the native fix, data sets.");
        command.SetAction(_ =>
        {
            try
            {
                var report = EnvironmentReport.Collect();
                Console.Write(report.ToString());
                using var scope = TorchSharp.torch.NewDisposeScope();
                var x = TorchSharp.torch.ones(2, 2, device: ComputeDevice.Current);
                Console.WriteLine($"tensor check: ones(2,2).sum() = {x.sum().item<float>()} on {x.device}");
                return 0;
            }
            catch (TorchLoadException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }
}
