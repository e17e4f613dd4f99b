using System.Text.Json.Nodes;
using Workbench.Data;
using Workbench.Notebooks.Workshop;
using Workbench.Tests.Notebooks;

namespace Workbench.Tests.Teaching;

/// <summary>
/// `workbench workshop bundle` packs what a laptop needs with no network: the library restores and builds from the
/// bundle alone, with an empty package cache and every other package source cleared.
/// </summary>
public sealed class OfflineBundleTests
{
    [Fact]
    public void TheLibraryRestoresAndBuildsFromTheBundleAlone()
    {
        using var temp = new TempFolder();
        string bundle = temp["bundle"];
        var made = Cli.Run(Cli.RepoRoot, TimeSpan.FromMinutes(5), "workshop", "bundle", "--out", bundle);
        Assert.True(made.ExitCode == 0, made.All);

        string config = File.ReadAllText(Path.Combine(bundle, "NuGet.config"));
        Assert.Contains("<clear />", config);
        Assert.Contains("value=\"packages\"", config);
        Assert.True(File.Exists(Path.Combine(bundle, "packages", "torchsharp-cpu.0.107.0.nupkg")));
        Assert.True(File.Exists(Path.Combine(bundle, "WORKSHOP-BUNDLE.md")));
        Assert.Equal(FashionMnistLocator.TryLocate() is not null, Directory.Exists(Path.Combine(bundle, "data", "fashion-mnist")));
        // The notebooks are the student copies.
        string clip = File.ReadAllText(Path.Combine(bundle, "notebooks", "02-clip.ipynb"));
        Assert.Contains("throw new NotImplementedException", clip);
        Assert.DoesNotContain("\"solution\"", clip);

        // An empty package cache: every package must come from the bundle's folder.
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = temp["package-cache"],
            ["NUGET_HTTP_CACHE_PATH"] = temp["http-cache"],
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["OMP_NUM_THREADS"] = "1",
        };
        string project = Path.Combine(bundle, "lib", "Workbench", "Workbench.csproj");
        var restore = Cli.Dotnet(bundle, TimeSpan.FromMinutes(10), environment, "restore", project, "-v", "n");
        Assert.True(restore.ExitCode == 0, restore.All);
        Assert.Contains(Path.Combine(bundle, "packages"), restore.All);   // "Feeds used" names the bundle's folder ...
        Assert.DoesNotContain("nuget.org", restore.All);                 // ... and no other
        Assert.True(Directory.Exists(Path.Combine(temp["package-cache"], "torchsharp-cpu", "0.107.0")));

        var build = Cli.Dotnet(bundle, TimeSpan.FromMinutes(10), environment, "build", project, "--no-restore", "-v", "q", "--nologo");
        Assert.True(build.ExitCode == 0, build.All);
        Assert.True(File.Exists(Path.Combine(bundle, "lib", "Workbench", "bin", "Debug", "net10.0", "Workbench.dll")));

        // The notebooks' kernel: installed from the bundle by its script, with the same empty cache, and it runs a cell.
        if (!File.Exists(VsCodeKernel.Tool)) return;   // this machine has none to bundle (`./workbench setup --test` installs it)
        Assert.Contains("dotnet-interactive", File.ReadAllText(Path.Combine(bundle, "WORKSHOP-BUNDLE.md")));
        var install = Cli.Command(bundle, TimeSpan.FromMinutes(5), environment, "bash", Path.Combine(bundle, OfflineBundle.KernelScript));
        Assert.True(install.ExitCode == 0, install.All);
        var again = Cli.Command(bundle, TimeSpan.FromMinutes(5), environment, "bash", Path.Combine(bundle, OfflineBundle.KernelScript));
        Assert.True(again.ExitCode == 0, again.All);   // running it twice is safe
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, ".vscode", "settings.json")))!;
        string kernel = (string)settings["dotnet-interactive.kernelTransportArgs"]![0]!;
        Assert.Equal(Path.Combine(bundle, OfflineBundle.KernelFolder, "dotnet-interactive"), kernel);
        Assert.Equal(Path.Combine(bundle, "packages"), (string?)settings["dotnet-interactive.interactiveToolSource"]);
        Assert.Equal(["[vscode]", "stdio", "--working-dir", "{working_dir}"],
            settings["dotnet-interactive.kernelTransportArgs"]!.AsArray().Skip(1).Select(a => (string)a!));
        using var started = new VsCodeKernel(kernel, Path.Combine(bundle, "notebooks"), environment);
        var answer = started.Submit("6 * 7", "csharp", TimeSpan.FromMinutes(2));
        Assert.Null(answer.Error);
        Assert.Contains(answer.FormattedValues, v => v.Contains("42"));
    }
}
