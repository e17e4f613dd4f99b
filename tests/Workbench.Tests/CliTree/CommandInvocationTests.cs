using System.CommandLine;
using Workbench.Cli.Commands;

namespace Workbench.Tests.CliTree;

/// <summary>The central error handling every command line passes through (<see cref="CommandInvocation"/>).</summary>
public sealed class CommandInvocationTests
{
    /// <summary>A root with one leaf, <c>boom</c>, whose action throws what it is given.</summary>
    static RootCommand Throwing(Exception exception, bool async = false)
    {
        var boom = new Command("boom", "Fails.") { new Option<int>("--size") };
        if (async) boom.SetAction(new Func<ParseResult, CancellationToken, Task<int>>(async (_, _) => { await Task.Yield(); throw exception; }));
        else boom.SetAction(new Func<ParseResult, int>(_ => throw exception));
        return new RootCommand("test") { new Command("group") { boom } };
    }

    static (int Code, string[] Lines) Invoke(RootCommand root, bool debug, params string[] args)
    {
        var error = new StringWriter();
        int code = CommandInvocation.InvokeAsync(root, args, error, debug).GetAwaiter().GetResult();
        return (code, error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnUnexpectedErrorIsOneLineNamingTheCommandAndTheErrorThenExitCodeOne(bool async)
    {
        var (code, lines) = Invoke(Throwing(new InvalidOperationException("Sequence contains no elements"), async), debug: false, "group", "boom");

        Assert.Equal(1, code);
        string line = Assert.Single(lines);
        Assert.Equal("workbench group boom failed unexpectedly: InvalidOperationException: Sequence contains no elements " +
                     $"(rerun with {CommandInvocation.DebugVariable}=1 for the stack trace)", line);
    }

    [Fact]
    public void WithTheDebugVariableTheStackTraceFollows()
    {
        var (code, lines) = Invoke(Throwing(new InvalidOperationException("kaput")), debug: true, "group", "boom");

        Assert.Equal(1, code);
        Assert.StartsWith("workbench group boom failed unexpectedly: InvalidOperationException: kaput", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("   at "));
    }

    [Fact]
    public void AMultiLineMessageBecomesOneLine()
    {
        var (_, lines) = Invoke(Throwing(new InvalidOperationException("first\nsecond")), debug: false, "group", "boom");
        Assert.Contains("first second", Assert.Single(lines));
    }

    [Theory]
    [InlineData("group boom --size many", "Cannot parse argument 'many' for option '--size' as a whole number.")]
    [InlineData("group boom --colour red", "Unrecognized command or argument '--colour'.")]
    [InlineData("group", "Required command was not provided.")]
    public void AParseErrorIsItsMessageAndAPointerToHelpWithExitCodeTwo(string commandLine, string message)
    {
        var (code, lines) = Invoke(Throwing(new InvalidOperationException("never run")), debug: false, commandLine.Split(' '));

        Assert.Equal(2, code);
        Assert.Equal(message, lines[0]);
        Assert.StartsWith("See `workbench group", lines[^1]);
        Assert.True(lines.Length <= 3, string.Join("\n", lines));
    }
}
