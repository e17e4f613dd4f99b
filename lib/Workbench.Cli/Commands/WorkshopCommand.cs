using System.CommandLine;
using Workbench.IO;
using Workbench.Notebooks;
using Workbench.Notebooks.Workshop;

namespace Workbench.Cli.Commands;

/// <summary>
/// <c>workbench workshop</c>: student and facilitator copies of the notebooks (<c>make</c>), a headless check that the
/// copies behave (<c>check</c>), and an offline bundle for attendees' laptops (<c>bundle</c>).
/// </summary>
static class WorkshopCommand
{
    /// <summary>The preset <c>check</c> runs the copies with: seconds per notebook, every cell still runs.</summary>
    public const string CheckPreset = "smoke";

    public static Command Create() => new("workshop", "Workshop material: student and facilitator notebooks, their check, an offline bundle.")
    {
        Make(), Check(), Bundle(),
    };

    static Command Make()
    {
        var paths = new Argument<FileSystemInfo[]>("notebooks")
        {
            Description = "Notebooks (.ipynb) or folders of notebooks; default: the workbench's notebooks/.",
            Arity = ArgumentArity.ZeroOrMore,
        }.ExistingPaths("Notebook");
        var output = new Option<string>("--out", "-o") { Description = "Folder to write student/ and facilitator/ into.", Required = true }.OutputPath();
        var command = new Command("make", "Write student copies (solutions removed, outputs cleared, stubs in place) and facilitator copies (with solutions).")
        {
            paths, output,
        };
        command.SetAction(result => Cli.Guard(() =>
        {
            var notebooks = NotebookInputs(result.GetValue(paths) ?? []);
            string outDir = result.GetValue(output)!;
            foreach (var copy in WorkshopCopies.Make(notebooks, outDir))
                Console.WriteLine($"{Path.GetFileName(copy.Source),-28} exercises: {(copy.Exercises.Count == 0 ? "none" : string.Join(", ", copy.Exercises))}");
            Console.WriteLine($"wrote {Path.Combine(outDir, WorkshopCopies.StudentFolder)} and {Path.Combine(outDir, WorkshopCopies.FacilitatorFolder)}");
        }));
        return command;
    }

    static Command Check()
    {
        var folder = new Argument<DirectoryInfo>("dir") { Description = "A folder written by `workbench workshop make`." }.ExistingFolder("Folder");
        var command = new Command("check", $"Run the copies headless with the {CheckPreset} preset: student copies must report every exercise unimplemented, facilitator copies must pass every check.")
        {
            folder,
        };
        command.SetAction(async (result, cancel) =>
        {
            IReadOnlyList<(string Path, string Kind)> copies;
            try
            {
                copies = WorkshopCheck.Copies(result.GetValue(folder)!.FullName);
            }
            catch (Exception e) when (Cli.ExitCodeOf(e) is int code)
            {
                Console.Error.WriteLine(Cli.OneLine(e.Message));
                return code;
            }
            var runner = new NotebookRunner();
            var parameters = new Dictionary<string, string> { ["preset"] = CheckPreset };
            int wrong = 0;
            foreach (var (path, kind) in copies)
            {
                string name = $"{kind}/{Path.GetFileName(path)}";
                CopyCheck check;
                try
                {
                    check = await WorkshopCheck.RunAsync(runner, path, kind, parameters, cancel);
                }
                catch (Exception e) when (Cli.ExitCodeOf(e) is int code)
                {
                    Console.Error.WriteLine(Cli.OneLine(e.Message));
                    return code;
                }
                foreach (var (id, outcome) in check.Reported)
                    Console.WriteLine($"{name,-36} {id,-20} {outcome}{(outcome == check.ExpectedOutcome ? " (expected)" : "")}");
                if (check.Reported.Count == 0) Console.WriteLine($"{name,-36} (no exercises) {(check.Failure is null ? "ran to the end" : "")}");
                foreach (var problem in check.Problems) Console.Error.WriteLine($"{name}: {problem}");
                if (check.Problems.Count > 0) wrong++;
            }
            Console.WriteLine(wrong == 0 ? $"all {copies.Count} copies as expected" : $"{wrong} of {copies.Count} copies not as expected");
            return wrong == 0 ? 0 : Cli.Failed;
        });
        return command;
    }

    static Command Bundle()
    {
        var output = new Option<string>("--out", "-o") { Description = "A new folder for the bundle (outside the workbench's tracked tree, or under artifacts/).", Required = true }.OutputPath();
        var command = new Command("bundle", "Pack what attendees' laptops need with no network: the source, student notebooks, a local NuGet folder, data, a NuGet.config and a README.")
        {
            output,
        };
        command.SetAction(result => Cli.Guard(() =>
        {
            string root = WorkbenchPaths.Root ?? throw new DirectoryNotFoundException("Run `workbench workshop bundle` inside the workbench's folder (no Workbench.sln found).");
            var report = OfflineBundle.Write(root, result.GetValue(output)!);
            Console.WriteLine($"packages: {report.Packages.Count - report.Missing.Count} of {report.Packages.Count} ({report.PackageBytes / (1024.0 * 1024):F0} MB); " +
                              $"LibTorch runtimes: {(report.TorchRuntimes.Count == 0 ? "none" : string.Join(", ", report.TorchRuntimes))}");
            foreach (var missing in report.Missing)
                Console.Error.WriteLine($"missing from the local package cache: {missing.Id} {missing.Version}");
            Console.WriteLine($"Fashion-MNIST: {(report.FashionMnist ? "included" : "not found on this machine (notebook 02 falls back to ShapesWorld)")}");
            Console.WriteLine($"student notebooks: {report.Notebooks.Count}; wrote {report.Folder} (steps in WORKSHOP-BUNDLE.md)");
        }));
        return command;
    }

    /// <summary>The notebooks given, folders expanded to their .ipynb files; none given: the workbench's notebooks/.</summary>
    static List<string> NotebookInputs(FileSystemInfo[] inputs)
    {
        if (inputs.Length == 0)
        {
            string folder = Path.Combine(WorkbenchPaths.Root ?? throw new DirectoryNotFoundException("No notebooks given and no workbench folder found: name the notebooks."), "notebooks");
            return Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal).ToList();
        }
        return inputs.SelectMany<FileSystemInfo, string>(i => Directory.Exists(i.FullName)
            ? Directory.GetFiles(i.FullName, "*.ipynb").Order(StringComparer.Ordinal)
            : [i.FullName]).ToList();
    }
}
