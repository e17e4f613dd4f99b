using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workbench.Tests.Notebooks;

/// <summary>What one submitted cell did in the kernel.</summary>
/// <param name="Error">The kernel's message when the command failed, else null.</param>
/// <param name="Events">Every event of the command and of the commands it spawned, in order.</param>
/// <param name="Elapsed">Wall time until the kernel said the command succeeded or failed.</param>
public sealed record KernelCellResult(string? Error, IReadOnlyList<JsonObject> Events, TimeSpan Elapsed)
{
    /// <summary>Every value the cell displayed, returned or printed, in all the MIME types the kernel formatted it as.</summary>
    public IEnumerable<string> FormattedValues => Events
        .SelectMany(e => e["event"]?["formattedValues"]?.AsArray() ?? [])
        .Select(v => (string?)v?["value"] ?? "");
}

/// <summary>
/// The kernel VS Code's Polyglot Notebooks extension starts: the <c>Microsoft.dotnet-interactive</c> tool speaking
/// JSON lines over standard I/O, started with the arguments the extension passes. One <c>SubmitCode</c> command per
/// cell; the cell is done at its <c>CommandSucceeded</c> or <c>CommandFailed</c> event.
/// </summary>
public sealed class VsCodeKernel : IDisposable
{
    /// <summary>Where <c>./workbench setup --test</c> installs the tool.</summary>
    public static string Tool => Path.Combine(Cli.RepoRoot, "artifacts", "tools", "dotnet-interactive");

    readonly Process process;
    readonly StringBuilder stderr = new();
    int lastToken;

    /// <summary>Starts the kernel with the notebook's folder as its working directory, as VS Code does.</summary>
    public VsCodeKernel(string workingDirectory, IReadOnlyDictionary<string, string> environment) : this(Tool, workingDirectory, environment) { }

    /// <summary>Starts the kernel at <paramref name="tool"/> (another installation than <see cref="Tool"/>).</summary>
    public VsCodeKernel(string tool, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(tool)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in new[] { "[vscode]", "stdio", "--default-kernel", "csharp", "--working-dir", workingDirectory }) info.ArgumentList.Add(a);
        // The first-run banner is not JSON; the reader skips such lines, and opting out keeps them few.
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment) info.Environment[name] = value;
        process = Process.Start(info)!;
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
    }

    /// <summary>Submits one cell's code to a subkernel and waits for the kernel to finish it.</summary>
    public KernelCellResult Submit(string code, string kernelName, TimeSpan timeout)
    {
        string token = (++lastToken).ToString(CultureInfo.InvariantCulture);
        var command = new JsonObject
        {
            ["token"] = token,
            ["commandType"] = "SubmitCode",
            ["command"] = new JsonObject { ["code"] = code, ["targetKernelName"] = kernelName },
        };
        process.StandardInput.WriteLine(command.ToJsonString());
        process.StandardInput.Flush();

        var watch = Stopwatch.StartNew();
        var events = new List<JsonObject>();
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            string? line;
            try
            {
                line = process.StandardOutput.ReadLineAsync(cancel.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // What the cell showed before it stalled (a progress line, "waiting for another process ...") says why.
                string shown = string.Join("\n", new KernelCellResult(null, events, watch.Elapsed).FormattedValues.TakeLast(5)
                    .Select(v => v.Length <= 600 ? v : v[..600] + " ..."));
                throw new TimeoutException($"dotnet-interactive did not finish the cell in {timeout}.\nlast output:\n{shown}\nstderr:\n{Tail()}");
            }
            if (line is null) throw new InvalidOperationException($"dotnet-interactive exited during the cell.\n{Tail()}");
            if (Parse(line) is not { } e) continue;
            string? eventToken = (string?)e["command"]?["token"];
            // Commands the kernel spawns for a submission carry its token with a suffix: "1.1", "1.2".
            if (eventToken != token && eventToken?.StartsWith(token + ".", StringComparison.Ordinal) != true) continue;
            events.Add(e);
            if (eventToken != token) continue;
            switch ((string?)e["eventType"])
            {
                case "CommandSucceeded": return new KernelCellResult(null, events, watch.Elapsed);
                case "CommandFailed": return new KernelCellResult((string?)e["event"]?["message"] ?? "(no message)", events, watch.Elapsed);
            }
        }
    }

    static JsonObject? Parse(string line)
    {
        if (!line.StartsWith('{')) return null;
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    string Tail()
    {
        lock (stderr) return stderr.Length <= 4000 ? stderr.ToString() : stderr.ToString(stderr.Length - 4000, 4000);
    }

    public void Dispose()
    {
        // Closing standard input does not end the kernel; VS Code kills it too.
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }
}
