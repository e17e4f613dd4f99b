using System.Diagnostics;
using Workbench.IO;

namespace Workbench.Tests;

/// <summary>Runs the built `workbench` command as a child process, as a user would.</summary>
public static class Cli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string All => Stdout + "\n" + Stderr;
    }

    public static string RepoRoot { get; } = WorkbenchPaths.Root
        ?? throw new InvalidOperationException("Tests must run inside the repository (no Workbench.sln found above them).");

    public static string Dll => Path.Combine(RepoRoot, "artifacts", "workbench", "Workbench.Cli.dll");

    public static Result Run(string workingDirectory, TimeSpan timeout, params string[] args) =>
        RunBuild(Dll, workingDirectory, timeout, new Dictionary<string, string>(), args);

    /// <summary>Runs the `workbench` of another build folder (its Workbench.Cli.dll), with extra environment variables.</summary>
    public static Result RunBuild(string cliDll, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Dotnet(workingDirectory, timeout, environment, [cliDll, .. args]);

    /// <summary>Runs `dotnet ARGS` (a build, a restore, a program) with extra environment variables; a run past the timeout is killed.</summary>
    public static Result Dotnet(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Command(workingDirectory, timeout, environment, "dotnet", args);

    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/> and extra environment variables; a run past the timeout is killed.</summary>
    public static Result Command(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, string program, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment) info.Environment[name] = value;
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in {timeout}.\n{stdout.Result}\n{stderr.Result}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static Result Run(params string[] args) => Run(RepoRoot, TimeSpan.FromMinutes(10), args);
}

/// <summary>A temporary folder removed after the test.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("workbench-test-").FullName;
    public string this[string name] => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
