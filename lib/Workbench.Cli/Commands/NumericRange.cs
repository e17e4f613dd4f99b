using System.CommandLine;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Workbench.Cli.Commands;

/// <summary>
/// The lower bound of a numeric option ("at least 1", "above 0"). It is checked when the command line is parsed, so a
/// bad value fails before any work; tests read it (<see cref="Of"/>) to derive out-of-range values for every option.
/// </summary>
/// <param name="Minimum">The bound.</param>
/// <param name="Inclusive">Whether the bound itself is allowed.</param>
public sealed record NumericRange(double Minimum, bool Inclusive)
{
    static readonly ConditionalWeakTable<Option, NumericRange> Ranges = new();

    /// <summary>Whether a value lies in the range (NaN and infinities never do).</summary>
    public bool Admits(double value) => double.IsFinite(value) && (Inclusive ? value >= Minimum : value > Minimum);

    /// <summary>The range declared for an option, or null.</summary>
    public static NumericRange? Of(Option option) => Ranges.TryGetValue(option, out var range) ? range : null;

    /// <summary>Declares and checks the range of an option (of a number type, nullable or not).</summary>
    public static Option<T> Declare<T>(Option<T> option, NumericRange range)
    {
        Ranges.AddOrUpdate(option, range);
        option.Check(value => value is null || range.Admits(Convert.ToDouble(value, CultureInfo.InvariantCulture))
            ? null
            : $"{option.Name} must be {range}, got {Convert.ToString(value, CultureInfo.InvariantCulture)}.");
        return option;
    }

    /// <summary>"at least 1", "above 0".</summary>
    public override string ToString() =>
        $"{(Inclusive ? "at least" : "above")} {Minimum.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>Declaring ranges where options are built: <c>new Option&lt;int&gt;("--count").AtLeast(1)</c>.</summary>
static class NumericRangeDeclarations
{
    public static Option<T> AtLeast<T>(this Option<T> option, double minimum) => NumericRange.Declare(option, new NumericRange(minimum, Inclusive: true));
    public static Option<T> Above<T>(this Option<T> option, double minimum) => NumericRange.Declare(option, new NumericRange(minimum, Inclusive: false));
}
