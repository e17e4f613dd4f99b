using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Workbench.IO;
using Workbench.Models;
using Workbench.Runtime;
using Workbench.Notebooks;
using Workbench.Sweeps;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench run</c>: executes notebooks headless and writes executed copies (and HTML pages).</summary>
static class RunCommand
{
    // A peak is NaN where /proc is absent.
    static readonly JsonSerializerOptions ReportJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static Command Create()
    {
        var paths = new Argument<FileSystemInfo[]>("notebooks")
        {
            Description = "Notebooks (.ipynb, .dib) or folders of notebooks, run in name order.",
            Arity = ArgumentArity.OneOrMore,
        }.ExistingPaths("Notebook");
        var preset = new Option<string?>("--preset") { Description = "Size preset injected as the `preset` parameter: smoke (seconds: does every cell run?), quick (CPU, minutes) or full." };
        preset.AcceptOnlyFromAmong("smoke", "quick", "full");
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "Override a parameter declared in the notebook's parameters cell: name=value (repeatable).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        parameters.Check(pairs => pairs.FirstOrDefault(p => p.IndexOf('=') is var eq && (eq <= 0 || p[..eq].Trim().Length == 0)) is { } bad
            ? $"--param expects name=value, got '{bad}'."
            : null);
        var output = new Option<string>("--out", "-o")
        {
            Description = "Folder for the executed notebooks.",
            DefaultValueFactory = _ => Path.Combine("artifacts", "notebooks"),
        }.OutputPath();
        var precision = new Option<string?>("--precision")
        {
            Description = "The precision every preset trains at: auto (bf16-mixed where the CPU has bfloat16 instructions, else fp32; the default), fp32 or bf16-mixed. Sets WORKBENCH_PRECISION for the notebooks.",
        };
        precision.AcceptOnlyFromAmong("auto", "fp32", "bf16-mixed");
        var html = new Option<bool>("--html") { Description = "Also write one self-contained HTML page per notebook (renders offline)." };
        var timings = new Option<FileInfo?>("--timings")
        {
            Description = "Also write the closing timing table into this Markdown file, between its `workbench run --timings` marker comments (docs/workshop.md has them).",
        }.ExistingFile();
        // How one notebook of several reports back to the `workbench run` that started its process.
        var report = new Option<string>("--report") { Hidden = true }.OutputPath();

        var command = new Command("run", "Run notebooks headless, cell by cell, and write executed copies with their outputs. " +
            "Several notebooks run one after another, each in its own process, as VS Code gives each notebook its own kernel.")
        {
            paths, preset, parameters, precision, output, html, timings, report,
        };
        command.SetAction(async (result, cancel) =>
        {
            var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in result.GetValue(parameters) ?? [])
            {
                int eq = pair.IndexOf('=');   // checked when parsed: a name, then '='
                overrides[pair[..eq].Trim()] = pair[(eq + 1)..];
            }
            if (result.GetValue(preset) is { } p) overrides["preset"] = p;
            string? arithmetic = result.GetValue(precision);
            if (arithmetic is not null) Environment.SetEnvironmentVariable(PreferredPrecision.Variable, arithmetic);
            try
            {
                _ = PreferredPrecision.Current;   // a bad WORKBENCH_PRECISION is reported now, not by the first notebook that trains
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            string? timingsFile = result.GetValue(timings)?.FullName;
            if (timingsFile is not null && RunTimings.RegionProblem(timingsFile, File.ReadAllText(timingsFile)) is { } problem)
            {
                Console.Error.WriteLine($"--timings {problem}");   // before hours of notebooks, not after
                return 2;
            }
            return await RunAsync(result.GetValue(paths)!, overrides, arithmetic, result.GetValue(output)!, result.GetValue(html), timingsFile,
                result.GetValue(report), cancel);
        });
        return command;
    }

    static async Task<int> RunAsync(FileSystemInfo[] inputs, Dictionary<string, string> overrides, string? precision, string outDir, bool html,
        string? timingsFile, string? reportFile, CancellationToken cancel)
    {
        List<string> notebooks;
        try
        {
            notebooks = Expand(inputs);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        if (reportFile is not null && notebooks.Count != 1)
        {
            Console.Error.WriteLine("--report is for one notebook.");
            return 2;
        }

        // One notebook runs in this process. Several run each in a process of its own, as VS Code runs each notebook in a
        // kernel of its own: what one leaves in memory is not the next one's, and each reports its own peak.
        bool ownProcesses = notebooks.Count > 1;
        int failures = 0;
        var times = new List<NotebookTiming>();
        foreach (var notebook in notebooks)
        {
            var (timing, code) = ownProcesses
                ? await RunInOwnProcessAsync(notebook, overrides, outDir, html, cancel)
                : await RunHereAsync(notebook, overrides, outDir, html, cancel);
            if (code == 2) return 2;
            if (!timing.Ok) failures++;
            times.Add(timing);
        }
        if (reportFile is not null)
        {
            AtomicFile.WriteAllText(reportFile, JsonSerializer.Serialize(times[0], ReportJson));
            return failures == 0 ? 0 : 1;
        }
        string table = RunTimings.Table(times, overrides.GetValueOrDefault("preset"), MixedPrecision.Name(PreferredPrecision.Current),
            Environment.ProcessorCount);
        Console.WriteLine();
        Console.Write(table);
        if (timingsFile is not null)
        {
            var arguments = inputs.Select(i => Path.GetRelativePath(Environment.CurrentDirectory, i.FullName))
                .Concat(overrides.Select(o => o.Key == "preset" ? $"--preset {o.Value}" : $"--param {o.Key}={o.Value}"))
                .Concat(precision is null ? [] : [$"--precision {precision}"])
                .Append($"--timings {Path.GetRelativePath(Environment.CurrentDirectory, timingsFile)}");
            RunTimings.WriteInto(timingsFile, RunTimings.Region(table, "./workbench run " + string.Join(" ", arguments), DateTime.UtcNow,
                Environment.ProcessorCount, RunTimings.Processor()));
            Console.WriteLine($"timing table written into {timingsFile}");
        }
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Runs one notebook in this process and writes its executed copy; exit code 2 for input it refused.</summary>
    static async Task<(NotebookTiming Timing, int Code)> RunHereAsync(string notebook, Dictionary<string, string> overrides, string outDir,
        bool html, CancellationToken cancel)
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, notebook);
        string name = Path.GetFileNameWithoutExtension(notebook);
        Console.WriteLine($"{relative}");
        var runner = new NotebookRunner
        {
            CellFinished = (path, cell, total) =>
                Console.WriteLine($"  cell {cell.Number,3}  {(cell.Error is null ? "ok  " : "FAIL")}  {cell.Elapsed.TotalSeconds,7:F2}s" +
                                  $"  {ProcessMemory.CurrentRssMb(),6:F0} MB now, {ProcessMemory.PeakRssMb(),6:F0} MB peak" +
                                  (cell.Injected ? "  (injected parameters)" : "")),
        };
        NotebookResult result;
        try
        {
            result = await runner.RunAsync(notebook, overrides, cancel);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException)
        {
            Console.Error.WriteLine(e.Message);
            return (new NotebookTiming(name, 0, false, ProcessMemory.PeakRssMb()), 2);
        }
        string executedPath = Path.Combine(outDir, name + ".ipynb");
        NotebookFile.SaveIpynb(result.Executed, executedPath);
        if (html) HtmlExport.Save(result.Executed, name, Path.Combine(outDir, name + ".html"));
        if (result.Failure is { } failed)
            Console.Error.WriteLine($"{relative}: cell {failed.Number} failed: {failed.Error}");
        Console.WriteLine($"  {(result.Failure is null ? "done" : "FAILED")} in {result.Elapsed.TotalSeconds:F1}s -> {executedPath}" +
                          (html ? $" and {Path.ChangeExtension(executedPath, ".html")}" : ""));
        return (new NotebookTiming(name, result.Elapsed.TotalSeconds, result.Failure is null, ProcessMemory.PeakRssMb()), result.Failure is null ? 0 : 1);
    }

    /// <summary>
    /// Runs one notebook in a child <c>workbench run</c> (its output passes straight through) and reads back the timing it
    /// reports; a child that dies without one (killed, out of memory) counts as a failed notebook, named with its exit code.
    /// </summary>
    static async Task<(NotebookTiming Timing, int Code)> RunInOwnProcessAsync(string notebook, Dictionary<string, string> overrides, string outDir,
        bool html, CancellationToken cancel)
    {
        string name = Path.GetFileNameWithoutExtension(notebook);
        string reportFile = Path.Combine(Path.GetTempPath(), $"workbench-run-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        var arguments = new List<string> { "run", notebook, "--out", Path.GetFullPath(outDir), "--report", reportFile };
        if (html) arguments.Add("--html");
        foreach (var (key, value) in overrides)
            arguments.AddRange(key == "preset" ? ["--preset", value] : ["--param", $"{key}={value}"]);
        var info = TrialCommand.Default.StartInfo(arguments);
        info.RedirectStandardOutput = info.RedirectStandardError = false;   // the child's cell lines appear as they happen
        var watch = Stopwatch.StartNew();
        using var child = Process.Start(info) ?? throw new InvalidOperationException($"Could not start a process for {notebook}.");
        try
        {
            await child.WaitForExitAsync(cancel);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw;
        }
        try
        {
            if (child.ExitCode == 2) return (new NotebookTiming(name, 0, false, double.NaN), 2);
            if (File.Exists(reportFile) && JsonSerializer.Deserialize<NotebookTiming>(File.ReadAllText(reportFile), ReportJson) is { } timing)
                return (timing, child.ExitCode);
            Console.Error.WriteLine($"{Path.GetRelativePath(Environment.CurrentDirectory, notebook)}: its process exited with code {child.ExitCode} " +
                                    "before the notebook finished (killed, or out of memory?).");
            return (new NotebookTiming(name, watch.Elapsed.TotalSeconds, false, double.NaN), 1);
        }
        finally
        {
            File.Delete(reportFile);
        }
    }

    /// <summary>Files as given; folders expanded to their notebooks in name order.</summary>
    static List<string> Expand(IEnumerable<FileSystemInfo> paths)
    {
        var result = new List<string>();
        foreach (var input in paths.Select(p => p.ToString()))
        {
            if (Directory.Exists(input))
            {
                var found = Directory.GetFiles(input)
                    .Where(f => NotebookFile.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new FileNotFoundException($"No notebooks (.ipynb, .dib) in {input}.");
                result.AddRange(found.Select(Path.GetFullPath));
            }
            else if (File.Exists(input)) result.Add(Path.GetFullPath(input));
            else throw new FileNotFoundException($"Notebook not found: {input}");
        }
        return result;
    }
}
