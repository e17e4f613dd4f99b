using System.Collections.Concurrent;
using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Help;
using System.Globalization;
using Workbench.Cli.Commands;

namespace Workbench.Tests.CliTree;

/// <summary>
/// Every leaf command, every option and argument, given values that must be refused: derived from the option's value
/// type (empty, zero or negative, not a number, an unknown name, a missing file), so options added later are covered
/// without touching this test. Each case runs the real executable in a child process and must end with exit code 2
/// (usage) or 1 (failure), a short message naming what was wrong, and no stack trace.
/// </summary>
public sealed class BadInputTests
{
    /// <summary>One command line and what its error message must name (any of).</summary>
    sealed record Case(string[] Args, string[] Names)
    {
        public override string ToString() => "workbench " + string.Join(' ', Args.Select(a => a.Length == 0 || a.Contains(' ') ? $"'{a}'" : a));
    }

    [Fact]
    public void EveryLeafRefusesEveryBadValueWithAShortMessageAndNoStackTrace()
    {
        using var temp = new TempFolder();
        var values = new ValidValues(temp);
        var leaves = WorkbenchCommand.Leaves();
        var cases = leaves.SelectMany(leaf => CasesOf(leaf.Path, leaf.Command, values)).ToList();
        // At least one case per option and argument: the walk saw the whole tree.
        Assert.True(cases.Count >= leaves.Sum(l => l.Command.Options.Count + l.Command.Arguments.Count), $"only {cases.Count} cases");

        var failures = new ConcurrentBag<string>();
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) }, c =>
        {
            try
            {
                var result = Cli.Run(temp.Path, TimeSpan.FromSeconds(30), c.Args);
                if (Problem(result, c) is { } problem) failures.Add($"{c}\n    {problem}\n    stderr: {result.Stderr.Trim().Replace("\n", "\n            ")}");
            }
            catch (TimeoutException)
            {
                failures.Add($"{c}\n    still running after 30 s: the bad value was not refused before the work began");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {cases.Count} bad command lines were not refused cleanly:\n" +
                                      string.Join("\n", failures.OrderBy(f => f, StringComparer.Ordinal)));
    }

    /// <summary>What is wrong with how a bad command line ended, or null.</summary>
    static string? Problem(Cli.Result result, Case c)
    {
        if (result.All.Contains("   at ") || result.All.Contains("Unhandled exception")) return "a stack trace";
        if (result.ExitCode is not (1 or 2)) return $"exit code {result.ExitCode}, not 1 or 2";
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0) return "no message on stderr";
        if (lines.Length > 5 || lines.Any(l => l.Length > 400)) return "the message is not short";
        if (!c.Names.Any(n => result.Stderr.Contains(n, StringComparison.OrdinalIgnoreCase)))
            return $"the message names none of: {string.Join(", ", c.Names)}";
        return null;
    }

    static IEnumerable<Case> CasesOf(IReadOnlyList<string> path, Command command, ValidValues values)
    {
        var options = command.Options.Where(o => o is not HelpOption and not VersionOption).ToList();
        // The smallest valid command line: the required arguments and options, nothing else.
        string[] Line(Argument? badArgument = null, string? badArgumentValue = null, Symbol? leaveOut = null, params string[] extra)
        {
            var args = new List<string>(path);
            foreach (var argument in command.Arguments)
            {
                if (argument == leaveOut) continue;
                if (argument == badArgument) args.Add(badArgumentValue!);
                else if (argument.Arity.MinimumNumberOfValues > 0) args.Add(values.For(argument.ValueType, Completions(argument)));
            }
            foreach (var option in options.Where(o => o.Required && o != leaveOut && !extra.Contains(o.Name)))
                args.AddRange([option.Name, values.For(option.ValueType, Completions(option))]);
            return [.. args, .. extra];
        }

        foreach (var option in options)
            foreach (var bad in BadValues(option.ValueType, NumericRange.Of(option), Completions(option), values))
                yield return new Case(Line(extra: [option.Name, bad]), Named(bad, option.Name));
        foreach (var argument in command.Arguments)
            foreach (var bad in BadValues(argument.ValueType, null, Completions(argument), values))
                yield return new Case(Line(argument, bad), Named(bad, argument.Name));

        yield return new Case(Line(extra: "--no-such-option"), ["--no-such-option"]);
        foreach (var option in options.Where(o => o.Required))
            yield return new Case(Line(leaveOut: option), [option.Name]);
        foreach (var argument in command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0))
            yield return new Case(Line(leaveOut: argument), [argument.Name, $"'{command.Name}'"]);
    }

    /// <summary>The message may name the symbol or quote the bad value.</summary>
    static string[] Named(string bad, string name) => bad.Length > 0 ? [name, bad] : [name];

    /// <summary>Values a symbol of this type must refuse.</summary>
    static IEnumerable<string> BadValues(Type type, NumericRange? range, IReadOnlyList<string> completions, ValidValues values)
    {
        var element = type.IsArray ? type.GetElementType()! : type;
        element = Nullable.GetUnderlyingType(element) ?? element;
        if (element == typeof(bool))
        {
            yield return "maybe";
            yield break;
        }
        yield return "";
        if (element == typeof(int) || element == typeof(long) || element == typeof(double))
        {
            yield return "not-a-number";
            bool whole = element != typeof(double);
            // Without a declared range a number is a count or a size: zero and below are wrong.
            double minimum = range?.Minimum ?? 1;
            bool inclusive = range?.Inclusive ?? true;
            if (!inclusive) yield return Format(minimum);
            yield return Format(whole ? Math.Ceiling(minimum) - 1 : minimum - 1);
            if (!whole) yield return "NaN";
        }
        else if (element.IsEnum)
            yield return "no-such-name";
        else if (typeof(FileSystemInfo).IsAssignableFrom(element))
            yield return values.Missing;
        else if (element == typeof(string) && completions.Count > 0)
        {
            // A name from a list (a preset, a data source): an unknown name, and a file that does not exist.
            yield return "no-such-name";
            yield return values.Missing + ".csv";
        }
    }

    static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    static IReadOnlyList<string> Completions(Symbol symbol) =>
        symbol.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();

    /// <summary>Valid values for the required symbols, by type, so that only the value under test is wrong.</summary>
    sealed class ValidValues
    {
        readonly TempFolder temp;
        int outputs;

        public ValidValues(TempFolder temp)
        {
            this.temp = temp;
            // A run folder passes the checks made when parsing (it exists, it holds run.json); loading it would fail,
            // so a bad value that is not refused before the command starts its work shows up as a wrong message.
            Directory.CreateDirectory(temp["run"]);
            File.WriteAllText(Path.Combine(temp["run"], "run.json"), "{}");
            File.WriteAllText(temp["input.txt"], "a red circle\n");
            Directory.CreateDirectory(temp["inputs"]);
        }

        public string Missing => temp["no-such-dir/missing"];

        public string For(Type type, IReadOnlyList<string> completions)
        {
            var element = type.IsArray ? type.GetElementType()! : type;
            element = Nullable.GetUnderlyingType(element) ?? element;
            if (element == typeof(DirectoryInfo)) return temp["run"];
            if (element == typeof(FileInfo)) return temp["input.txt"];
            if (element == typeof(FileSystemInfo)) return temp["inputs"];
            if (element.IsEnum) return Enum.GetNames(element)[0];
            if (element == typeof(int) || element == typeof(long) || element == typeof(double)) return "1";
            if (element == typeof(string) && completions.Count > 0) return completions[0];
            if (element == typeof(string)) return temp[$"out-{Interlocked.Increment(ref outputs)}"];
            throw new InvalidOperationException($"no valid value known for a required {type.Name}: teach {nameof(ValidValues)} one");
        }
    }
}
