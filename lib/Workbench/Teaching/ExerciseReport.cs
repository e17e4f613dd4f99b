using System.Net;
using System.Text.RegularExpressions;

namespace Workbench.Teaching;

/// <summary>How an attendee's function fared against the library's own.</summary>
public enum ExerciseOutcome
{
    /// <summary>It agreed with the library on every input.</summary>
    Passed,
    /// <summary>It disagreed on an input, threw, or has the wrong signature.</summary>
    Failed,
    /// <summary>It still throws <see cref="NotImplementedException"/>: the stub as handed out.</summary>
    NotImplemented,
}

/// <summary>The first input an attendee's function got wrong.</summary>
/// <param name="Input">What went in, in words and values.</param>
/// <param name="Expected">What the library's implementation returns.</param>
/// <param name="Actual">What the attendee's function returned (or threw).</param>
/// <param name="Hint">What to look at, without the answer.</param>
public sealed record FailedInput(string Input, string Expected, string Actual, string Hint);

/// <summary>
/// The result of <see cref="Exercise.Check"/>: shown in the notebook as a coloured panel, and readable back from an
/// executed notebook's HTML (<see cref="FindIn"/>), which is how <c>workbench workshop check</c> grades a run.
/// </summary>
/// <param name="Id">The exercise, e.g. <c>clip-infonce</c>.</param>
/// <param name="Title">What the attendee writes.</param>
/// <param name="Outcome">Passed, failed or not implemented.</param>
/// <param name="InputsPassed">Inputs on which the function agreed with the library before the first failure.</param>
/// <param name="Inputs">Inputs the check has.</param>
/// <param name="Failure">The first failing input, when <see cref="Outcome"/> is <see cref="ExerciseOutcome.Failed"/>.</param>
public sealed partial record ExerciseReport(string Id, string Title, ExerciseOutcome Outcome, int InputsPassed, int Inputs, FailedInput? Failure)
{
    /// <summary>The outcome as the report's HTML marks it: passed, failed, not-implemented.</summary>
    public string OutcomeName => Outcome switch
    {
        ExerciseOutcome.Passed => "passed",
        ExerciseOutcome.Failed => "failed",
        _ => "not-implemented",
    };

    /// <summary>One line: the exercise and its outcome.</summary>
    public string Summary => Outcome switch
    {
        ExerciseOutcome.Passed => $"exercise {Id}: passed, all {Inputs} inputs agree with the library",
        ExerciseOutcome.NotImplemented => $"exercise {Id}: not implemented yet (the stub still throws NotImplementedException); the notebook goes on with the library's version",
        _ => $"exercise {Id}: failed on input {InputsPassed + 1} of {Inputs}; the notebook goes on with the library's version",
    };

    /// <inheritdoc />
    public override string ToString() => Failure is null
        ? Summary
        : $"{Summary}\n  input:    {Failure.Input}\n  expected: {Failure.Expected}\n  actual:   {Failure.Actual}\n  hint:     {Failure.Hint}";

    /// <summary>The panel a notebook shows; its root element carries <c>data-exercise</c> and <c>data-outcome</c>.</summary>
    public string ToHtml()
    {
        string colour = Outcome switch { ExerciseOutcome.Passed => "#2a7", ExerciseOutcome.Failed => "#d33", _ => "#c80" };
        string E(string s) => WebUtility.HtmlEncode(s);
        string details = Failure is null ? "" :
            "<table style=\"margin-top:0.4rem\">" +
            $"<tr><th style=\"text-align:left\">input</th><td><pre style=\"margin:0\">{E(Failure.Input)}</pre></td></tr>" +
            $"<tr><th style=\"text-align:left\">expected</th><td><pre style=\"margin:0\">{E(Failure.Expected)}</pre></td></tr>" +
            $"<tr><th style=\"text-align:left\">actual</th><td><pre style=\"margin:0\">{E(Failure.Actual)}</pre></td></tr>" +
            $"<tr><th style=\"text-align:left\">hint</th><td>{E(Failure.Hint)}</td></tr></table>";
        return $"<div class=\"workbench-exercise\" data-exercise=\"{E(Id)}\" data-outcome=\"{OutcomeName}\" " +
               $"style=\"border-left:4px solid {colour};padding:0.4rem 0.8rem;font-family:system-ui,sans-serif\">" +
               $"<strong>{E(Title)}</strong><br/>{E(Summary)}{details}</div>";
    }

    [GeneratedRegex("<div class=\"workbench-exercise\" data-exercise=\"(?<id>[^\"]+)\" data-outcome=\"(?<outcome>[a-z-]+)\"")]
    private static partial Regex Marker();

    /// <summary>The exercises and outcomes that report panels in <paramref name="html"/> record, in order.</summary>
    public static IReadOnlyList<(string Id, string Outcome)> FindIn(string html) =>
        Marker().Matches(html).Select(m => (WebUtility.HtmlDecode(m.Groups["id"].Value), m.Groups["outcome"].Value)).ToList();
}
