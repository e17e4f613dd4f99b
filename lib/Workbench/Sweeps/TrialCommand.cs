using System.Diagnostics;

namespace Workbench.Sweeps;

/// <summary>
/// How to start the <c>workbench</c> command line in a child process: <c>dotnet Workbench.Cli.dll</c>. By default the
/// CLI beside the loaded <c>Workbench.dll</c> (the build folder <c>artifacts/workbench/</c>, which notebooks load too).
/// </summary>
/// <param name="Program">The program to start (the <c>dotnet</c> host).</param>
/// <param name="Prefix">Arguments before the command's own (the CLI's assembly).</param>
public sealed record TrialCommand(string Program, IReadOnlyList<string> Prefix)
{
    /// <summary>The CLI of this build, run by the <c>dotnet</c> host that runs this process (or the one on PATH).</summary>
    public static TrialCommand Default
    {
        get
        {
            string cli = Path.Combine(Path.GetDirectoryName(typeof(TrialCommand).Assembly.Location)!, "Workbench.Cli.dll");
            if (!File.Exists(cli))
                throw new FileNotFoundException($"The workbench CLI is not beside Workbench.dll ({cli} is missing): build it with `dotnet build lib/Workbench.Cli`.", cli);
            string? host = Environment.ProcessPath;
            string dotnet = host is not null && Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? host : "dotnet";
            return new TrialCommand(dotnet, [cli]);
        }
    }

    /// <summary>A start description for <paramref name="arguments"/>, output redirected.</summary>
    public ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in Prefix.Concat(arguments)) info.ArgumentList.Add(a);
        return info;
    }

    /// <summary>The command line as a shell would read it (single-quoted words).</summary>
    public string ShellLine(IEnumerable<string> arguments) => string.Join(' ', Prefix.Prepend(Program).Concat(arguments).Select(ShellQuote));

    /// <summary>A word quoted for a POSIX shell.</summary>
    public static string ShellQuote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:+,@%".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
