using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Workbench.Runtime;

namespace Workbench.Cli.Commands;

/// <summary>
/// Runs a command line as the <c>workbench</c> executable does. A usage error (an unknown option or command, a value
/// that does not parse or fails its check, a missing required option) prints its messages and a pointer to the
/// command's help, and exits 2. An unexpected exception prints one line naming the command and the error, and exits 1;
/// its stack trace only when <see cref="DebugVariable"/> is 1.
/// </summary>
public static class CommandInvocation
{
    /// <summary>The environment variable that, set to 1, adds the stack trace to an unexpected error.</summary>
    public const string DebugVariable = "WORKBENCH_DEBUG";

    /// <summary>Parses and runs <paramref name="args"/> against <paramref name="root"/>; returns the exit code.</summary>
    /// <param name="root">The command tree (<see cref="WorkbenchCommand.Create"/>).</param>
    /// <param name="args">The command line, without the executable.</param>
    /// <param name="error">Where errors go (stderr).</param>
    /// <param name="showStackTraces">Print an unexpected error's stack trace too.</param>
    public static async Task<int> InvokeAsync(Command root, IReadOnlyList<string> args, TextWriter error, bool showStackTraces)
    {
        var parse = root.Parse(args);
        string command = PathOf(parse.CommandResult);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var problem in parse.Errors) error.WriteLine(Readable(problem));
            error.WriteLine($"See `{command} --help`.");
            return Cli.BadInput;
        }
        // Any command may build tensors, so TorchSharp's native library is loaded here, before any of them runs, and a
        // failure is one message naming the cause. Help needs no native library.
        if (parse.Action is { } action && action == parse.CommandResult.Command.Action)
        {
            try
            {
                TorchRuntime.EnsureLoaded();
            }
            catch (TorchLoadException e)
            {
                error.WriteLine(e.Message);
                return Cli.Failed;
            }
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Error = error });
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"{command}: cancelled.");
            return Cli.Failed;
        }
        catch (Exception e)
        {
            error.WriteLine($"{command} failed unexpectedly: {e.GetType().Name}: {Cli.OneLine(e.Message)}" +
                            (showStackTraces ? "" : $" (rerun with {DebugVariable}=1 for the stack trace)"));
            if (showStackTraces) error.WriteLine(e);
            return Cli.Failed;
        }
    }

    /// <summary>Whether the environment asks for stack traces (<see cref="DebugVariable"/>=1).</summary>
    public static bool DebugRequested() => Environment.GetEnvironmentVariable(DebugVariable) == "1";

    /// <summary>
    /// A parse error on one line, naming the option or argument it is about, with the value's type in words
    /// ("as a whole number", not "as expected type 'System.Int32'").
    /// </summary>
    static string Readable(ParseError problem)
    {
        var (name, type) = problem.SymbolResult switch
        {
            OptionResult o => (o.Option.Name, o.Option.ValueType),
            ArgumentResult { Parent: OptionResult o } => (o.Option.Name, o.Option.ValueType),
            ArgumentResult a => ($"<{a.Argument.Name}>", a.Argument.ValueType),
            _ => ((string?)null, (Type?)null),
        };
        string message = problem.Message;
        if (type is not null) message = message.Replace($"as expected type '{type}'", "as " + Describe(type));
        if (name is not null && !message.Contains(name)) message = $"{name}: {message}";
        return Cli.OneLine(message);
    }

    static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? (type.IsArray ? type.GetElementType()! : type);
        if (type == typeof(int) || type == typeof(long)) return "a whole number";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()));
        if (type == typeof(FileInfo) || type == typeof(FileSystemInfo)) return "a file path";
        if (type == typeof(DirectoryInfo)) return "a folder path";
        return type.Name;
    }

    /// <summary>"workbench data show" for the command a parse ended in.</summary>
    static string PathOf(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent)
            names.Insert(0, c.Parent is null ? "workbench" : c.Command.Name);
        return string.Join(' ', names);
    }
}
