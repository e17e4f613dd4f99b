using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Workbench.Models.Clip;
using Workbench.Runtime;
using Workbench.Sweeps;

namespace Workbench.Cli.Commands;

/// <summary>
/// <c>workbench bench host clip|lm|llava|flamingo|all</c>: the time a training step spends outside LibTorch, measured
/// rather than bounded. It runs <c>workbench bench MODEL --threads 1</c> under Linux <c>perf record</c>, cuts the profile to
/// the timed steps, and splits the training thread's samples between LibTorch and the .NET host
/// (<see cref="HostTimeProfile"/>). One intra-op thread, because with two LibTorch's OpenMP threads wait for each other
/// in spin loops whose <c>pause</c> instructions draw a virtual machine's timer samples to themselves (on these machines
/// two-thread profiles put 65-70% of both threads there); the host's work is serial and the same at any thread count, so
/// its milliseconds are then set against the step's time at the default thread count, measured by a second run beside it.
/// </summary>
static class HostOverheadBench
{
    /// <summary>One model's figures; <c>--json</c> prints it as one object per line.</summary>
    public sealed record Result(string Model, string Configuration, string Precision, double ProfiledSeconds, double ProfiledStepMs, double HostShareProfiled,
        double LibtorchShareProfiled, double SharedShareProfiled, double HostMs, double HostMsUpper, int Threads, double StepMs,
        double HostShare, double HostShareUpper, IReadOnlyList<ModuleShare> Modules);

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The model whose training step is profiled: clip, lm, llava, flamingo or all." };
        model.AcceptOnlyFromAmong("clip", "lm", "llava", "flamingo", "all");
        var precision = new Option<string>("--precision") { Description = "Arithmetic of the step: fp32 or bf16-mixed.", DefaultValueFactory = _ => "bf16-mixed" };
        precision.AcceptOnlyFromAmong("fp32", "bf16-mixed");
        var steps = new Option<int>("--steps") { Description = "Timed steps of each run (the profile covers them).", DefaultValueFactory = _ => 20 }.AtLeast(3);
        var json = new Option<bool>("--json") { Description = "One JSON object per model (model, precision, host_ms, step_ms, host_share, host_share_upper, modules, ...)." };
        var batch = new Option<int?>("--batch") { Description = "Override the model's reference batch size (as bench MODEL --batch)." }.AtLeast(1);
        var width = new Option<int?>("--width") { Description = "Override the reference width (as bench MODEL --width)." }.AtLeast(8);
        var layers = new Option<int?>("--layers") { Description = "Override the reference number of blocks (as bench MODEL --layers)." }.AtLeast(1);
        var encoder = new Option<string?>("--image-encoder") { Description = "CLIP's image tower: vit or cnn; all: both." };
        encoder.AcceptOnlyFromAmong(ImageEncoders.Vit, ImageEncoders.Cnn);
        var command = new Command("host", "The time a training step spends outside LibTorch (the .NET host: managed code, runtime, TorchSharp's glue), " +
                                          "from a Linux perf profile of the training thread at one intra-op thread, set against the step's time at the default thread count.")
        {
            model, precision, steps, batch, width, layers, encoder, json,
        };
        command.SetAction(result => Cli.Guard(() =>
        {
            string perf = FindOnPath("perf") ?? throw new CommandFailedException(
                "`bench host` samples the training thread with Linux perf, which is not on PATH (Debian: apt-get install linux-perf).");
            string chosen = result.GetValue(model)!;
            var sizes = new List<string>();
            if (result.GetValue(batch) is int b) sizes.AddRange(["--batch", b.ToString(CultureInfo.InvariantCulture)]);
            if (result.GetValue(width) is int w) sizes.AddRange(["--width", w.ToString(CultureInfo.InvariantCulture)]);
            if (result.GetValue(layers) is int l) sizes.AddRange(["--layers", l.ToString(CultureInfo.InvariantCulture)]);
            string? tower = result.GetValue(encoder);
            foreach (var (m, image) in ModelBench.Runs(chosen, tower))
            {
                string[] options = image is null ? [.. sizes] : [.. sizes, "--image-encoder", image];
                var r = Measure(perf, m, options, result.GetValue(precision)!, result.GetValue(steps));
                Console.WriteLine(result.GetValue(json) ? JsonSerializer.Serialize(r, Json) : Describe(r));
            }
        }));
        return command;
    }

    static Result Measure(string perf, string model, string[] options, string precision, int steps)
    {
        string folder = Directory.CreateTempSubdirectory("workbench-host-").FullName;
        try
        {
            string data = Path.Combine(folder, "perf.data");
            string[] bench = ["bench", model, .. options, "--precision", precision, "--steps", steps.ToString(CultureInfo.InvariantCulture), "--json"];
            var cli = TrialCommand.Default;
            // Profiled: one intra-op thread; the runtime's code kept in its memfd mapping so that it is told from oneDNN's.
            var profiled = Run(perf, ["record", "-k", "CLOCK_MONOTONIC", "-F", "999", "-q", "-o", data, "--", cli.Program, .. cli.Prefix, .. bench, "--threads", "1"],
                new() { ["DOTNET_EnableWriteXorExecute"] = "1" });
            var one = LastResult(profiled, "perf record");
            string window = string.Create(CultureInfo.InvariantCulture, $"{one.TimedFromS:F6},{one.TimedToS:F6}");
            string report = Run(perf, ["report", "-i", data, "--time", window, "--sort", "pid,dso", "--field-separator=,", "--stdio", "-q"], []);
            var rows = HostTimeProfile.ParsePerfReport(report);
            if (rows.Count == 0)
                throw new CommandFailedException($"perf recorded no samples in the {1000 * (one.TimedToS - one.TimedFromS):F0} ms of timed steps of {model}: give it more --steps.");
            var thread = HostTimeProfile.Busiest(rows);
            // Beside it, unprofiled, at the default thread count: the step the host's milliseconds are a share of.
            var side = LastResult(Run(cli.Program, [.. cli.Prefix, .. bench], []), "bench");
            double oneMs = 1000 / one.StepsPerSecond, stepMs = 1000 / side.StepsPerSecond;
            double host = thread.ShareOf(CodeOwner.Host), shared = thread.ShareOf(CodeOwner.Shared);
            return new Result(model, one.Configuration, precision, one.TimedToS - one.TimedFromS, oneMs, host, thread.ShareOf(CodeOwner.LibTorch), shared,
                host * oneMs, (host + shared) * oneMs, side.Threads, stepMs, host * oneMs / stepMs, (host + shared) * oneMs / stepMs,
                thread.Modules.Take(8).ToList());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static string Describe(Result r)
    {
        string modules = string.Join(", ", r.Modules.Take(5).Select(m => $"{m.Module} {100 * m.Share:F1}%"));
        return $"{r.Model} ({r.Configuration}, {r.Precision}): the training thread over {r.ProfiledSeconds:F1} s of timed steps at 1 thread ({r.ProfiledStepMs:F0} ms a step): " +
               $"LibTorch {100 * r.LibtorchShareProfiled:F1}%, .NET host {100 * r.HostShareProfiled:F1}%, C library and kernel {100 * r.SharedShareProfiled:F1}% ({modules})\n" +
               $"  outside LibTorch: {r.HostMs:F1} ms a step (at most {r.HostMsUpper:F1} with the C library and kernel) = {100 * r.HostShare:F1}% " +
               $"(at most {100 * r.HostShareUpper:F1}%) of a {r.StepMs:F0} ms step at {r.Threads} threads";
    }

    /// <summary>The last JSON object <c>bench MODEL --json</c> printed.</summary>
    static ModelBench.Result LastResult(string stdout, string what)
    {
        string? line = stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        return line is not null && JsonSerializer.Deserialize<ModelBench.Result>(line, Json) is { } r ? r
            : throw new CommandFailedException($"{what}: the benchmark printed no result (its output ended: {Tail(stdout)}).");
    }

    /// <summary>Runs a program to the end and returns its standard output; a non-zero exit is an error naming it and its last words.</summary>
    static string Run(string program, IReadOnlyList<string> arguments, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info) ?? throw new CommandFailedException($"Could not start {program}.");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            string hint = Path.GetFileName(program) == "perf" ? " (a user other than root needs kernel.perf_event_paranoid at 2 or lower)" : "";
            throw new CommandFailedException($"{Path.GetFileName(program)} {arguments[0]} exited with code {process.ExitCode}{hint}: {Tail(stderr.Result)}");
        }
        return stdout;
    }

    static string Tail(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.Contains("NNPACK")).ToList();
        return lines.Count == 0 ? "(nothing)" : string.Join(" | ", lines.TakeLast(2));
    }

    static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
