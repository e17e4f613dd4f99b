using System.CommandLine;
using System.CommandLine.Parsing;

namespace Workbench.Cli.Commands;

/// <summary>
/// Checks of an option's or argument's value, run when the command line is parsed: a problem becomes a usage error
/// (exit 2) before the command does any work, and all problems of one command line are reported together.
/// </summary>
static class ValueChecks
{
    /// <summary>Adds a check: <paramref name="problem"/> returns what is wrong with a given value, or null when it is fine.</summary>
    public static Option<T> Check<T>(this Option<T> option, Func<T, string?> problem)
    {
        option.Validators.Add(result =>
        {
            if (Converted(result.GetValueOrDefault<T>) is (true, var value) && problem(value!) is { } message) result.AddError(message);
        });
        return option;
    }

    /// <summary>Adds a check of an argument's value (see the option overload).</summary>
    public static Argument<T> Check<T>(this Argument<T> argument, Func<T, string?> problem)
    {
        argument.Validators.Add(result =>
        {
            if (Converted(result.GetValueOrDefault<T>) is (true, var value) && problem(value!) is { } message) result.AddError(message);
        });
        return argument;
    }

    /// <summary>
    /// The value, when it converted. System.CommandLine runs validators even after a value failed to convert (say,
    /// "abc" for a number); reading it then throws, and the conversion error is already reported.
    /// </summary>
    static (bool Ok, T? Value) Converted<T>(Func<T> read)
    {
        try
        {
            return (true, read());
        }
        catch (InvalidOperationException)
        {
            return (false, default);
        }
    }
}
