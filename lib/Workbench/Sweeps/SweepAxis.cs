using System.Text.Json;

namespace Workbench.Sweeps;

/// <summary>
/// One knob a sweep varies and the values it takes: a setting of the method's configuration record as <c>--set</c>
/// spells it (<c>BatchSize</c>, <c>Projector</c>, <c>Trainer.Steps</c>), or one of <see cref="Method"/>,
/// <see cref="Data"/> and <see cref="Preset"/>. Values are kept as the text <c>--set Name=value</c> takes.
/// </summary>
/// <param name="Name">The setting's name.</param>
/// <param name="Values">The values, in order.</param>
public sealed record SweepAxis(string Name, IReadOnlyList<string> Values)
{
    /// <summary>The axis that varies the method (<c>clip</c>, <c>lm</c>, <c>llava</c>).</summary>
    public const string Method = "method";
    /// <summary>The axis that varies the data source.</summary>
    public const string Data = "data";
    /// <summary>The axis that varies the preset.</summary>
    public const string Preset = "preset";

    /// <summary>Whether the axis is one of method, data and preset rather than a configuration setting.</summary>
    public bool IsRunChoice => IsRunChoiceName(Name);

    internal static bool IsRunChoiceName(string name) =>
        name.Equals(Method, StringComparison.OrdinalIgnoreCase) || name.Equals(Data, StringComparison.OrdinalIgnoreCase)
        || name.Equals(Preset, StringComparison.OrdinalIgnoreCase);

    /// <summary>An axis from C# values: numbers and booleans as JSON writes them (<c>true</c>, <c>0.002</c>), text as it is.</summary>
    public static SweepAxis Of(string name, params object[] values) => new(name, values.Select(TextOf).ToList());

    /// <summary>The <c>--set</c> text of a value.</summary>
    internal static string TextOf(object value) => value switch
    {
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(value),
    };

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {string.Join(" | ", Values)}";
}
