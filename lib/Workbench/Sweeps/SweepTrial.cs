using System.Globalization;
using System.Text;

namespace Workbench.Sweeps;

/// <summary>One value of one axis in a trial.</summary>
/// <param name="Axis">The axis (setting) name.</param>
/// <param name="Value">The value, as <c>--set</c> text.</param>
public sealed record AxisValue(string Axis, string Value);

/// <summary>
/// One training run of a sweep: one value of every axis and one seed. <see cref="TrainArguments"/> is the
/// <c>workbench train</c> command line that runs it, the same on a laptop and on a Slurm node.
/// </summary>
/// <param name="Index">Position in the sweep (a Slurm array task id).</param>
/// <param name="Name">The trial's folder name: index, axis values and seed.</param>
/// <param name="Method">The method (<c>clip</c>, <c>lm</c>, <c>llava</c>).</param>
/// <param name="Data">The data source.</param>
/// <param name="Preset">The preset the settings change.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Values">The axis values that make this trial.</param>
/// <param name="Settings">Every <c>Name=value</c> applied to the preset: the sweep's base settings, then the axis values.</param>
public sealed record SweepTrial(int Index, string Name, string Method, string Data, string Preset, int Seed,
    IReadOnlyList<AxisValue> Values, IReadOnlyList<string> Settings)
{
    /// <summary>The arguments of <c>workbench</c> that train this trial into <paramref name="folder"/>.</summary>
    public IReadOnlyList<string> TrainArguments(string folder, bool resume)
    {
        var args = new List<string> { "train", Method, "--data", Data, "--preset", Preset, "--seed", Seed.ToString(CultureInfo.InvariantCulture), "--out", folder };
        if (resume) args.Add("--resume");
        foreach (var setting in Settings) args.AddRange(["--set", setting]);
        return args;
    }

    /// <summary>"003_BatchSize-64_LearnTemperature-false_seed-1": readable, unique within the sweep, safe in paths and shells.</summary>
    internal static string NameOf(int index, int count, IEnumerable<AxisValue> values, int seed)
    {
        var name = new StringBuilder(index.ToString(new string('0', Math.Max(3, (count - 1).ToString(CultureInfo.InvariantCulture).Length)), CultureInfo.InvariantCulture));
        foreach (var v in values) name.Append('_').Append(Safe(v.Axis)).Append('-').Append(Safe(v.Value));
        return name.Append("_seed-").Append(seed.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    static string Safe(string text)
    {
        var chars = text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '+' ? c : '-').ToArray();
        string safe = new string(chars).Trim('-', '.');
        return safe.Length == 0 ? "x" : safe.Length > 40 ? safe[..40] : safe;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
