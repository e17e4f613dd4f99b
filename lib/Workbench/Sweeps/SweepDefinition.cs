using System.Text.Json;
using System.Text.Json.Serialization;
using Workbench.Training;
using Workbench.Training.Runs;

namespace Workbench.Sweeps;

/// <summary>
/// An ablation as data: a base run (method, data, preset and <c>--set</c>-style settings), the axes to vary and the
/// seeds. Every trial is one value of every axis with one seed (<see cref="Trials"/>), which checks every name and
/// value against the method's configuration record before anything runs. A sweep file is the same as JSON:
/// <code>
/// {
///   "name": "clip-batch-temperature",
///   "method": "clip", "data": "shapes", "preset": "smoke",
///   "set": { "Steps": 8, "EvalEvery": 0 },
///   "axes": { "BatchSize": [32, 64], "LearnTemperature": [true, false] },
///   "seeds": [0, 1, 2]
/// }
/// </code>
/// </summary>
public sealed record SweepDefinition
{
    /// <summary>A name for reports and the default output folder.</summary>
    public string Name { get; init; } = "sweep";
    /// <summary>The method every trial trains, unless an axis named <c>method</c> varies it.</summary>
    public string Method { get; init; } = "clip";
    /// <summary>The data source, unless an axis named <c>data</c> varies it.</summary>
    public string Data { get; init; } = "shapes";
    /// <summary>The preset the settings change, unless an axis named <c>preset</c> varies it.</summary>
    public string Preset { get; init; } = Presets.Quick;
    /// <summary>Settings every trial applies first, <c>Name=value</c> as <c>--set</c> takes them.</summary>
    public IReadOnlyList<string> Set { get; init; } = [];
    /// <summary>The axes, in order; a trial takes one value of each.</summary>
    public IReadOnlyList<SweepAxis> Axes { get; init; } = [];
    /// <summary>The seeds every combination runs with.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [0];
    /// <summary>Where the definition came from (a file's path), for error messages.</summary>
    public string Source { get; init; } = "sweep";

    /// <summary>Reads a sweep file; throws <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static SweepDefinition Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Sweep file not found: {path}", path);
        SweepFile? file;
        try
        {
            file = JsonSerializer.Deserialize<SweepFile>(File.ReadAllText(path), FileJson);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a sweep file ({e.Message}). Expected {{\"method\", \"data\", \"preset\", \"set\", \"axes\", \"seeds\"}}.", e);
        }
        if (file is null) throw new InvalidDataException($"{path}: empty.");
        var axes = new List<SweepAxis>();
        foreach (var (name, values) in file.Axes ?? [])
        {
            if (values is not { ValueKind: JsonValueKind.Array } || values.GetArrayLength() == 0)
                throw new InvalidDataException($"{path}: axis \"{name}\" must be a non-empty list of values, e.g. [1, 2].");
            var texts = new List<string>();
            foreach (var v in values.EnumerateArray())
                texts.Add(v.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null
                    ? throw new InvalidDataException($"{path}: axis \"{name}\": {v.GetRawText()} is not a number, true/false or text.")
                    : SweepAxis.TextOf(v));
            axes.Add(new SweepAxis(name, texts));
        }
        var set = (file.Set ?? []).Select(p => p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null
            ? throw new InvalidDataException($"{path}: set \"{p.Key}\": {p.Value.GetRawText()} is not a number, true/false or text.")
            : $"{p.Key}={SweepAxis.TextOf(p.Value)}").ToList();
        return new SweepDefinition
        {
            Name = file.Name ?? Path.GetFileNameWithoutExtension(path),
            Method = file.Method ?? "clip", Data = file.Data ?? "shapes", Preset = file.Preset ?? Presets.Quick,
            Set = set, Axes = axes, Seeds = file.Seeds ?? [0], Source = path,
        };
    }

    /// <summary>
    /// Every trial, seeds outermost (a first pass over every combination comes before the repeats). Throws
    /// <see cref="ArgumentException"/> listing every unknown axis name, unknown method, preset or value that does not
    /// fit its setting, each named, before anything runs.
    /// </summary>
    public IReadOnlyList<SweepTrial> Trials()
    {
        var problems = new List<string>();
        void Problem(string text) { if (!problems.Contains(text)) problems.Add(text); }

        if (Seeds.Count == 0) Problem("seeds: give at least one seed.");
        foreach (var group in Axes.GroupBy(a => a.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            Problem($"axis \"{group.Key}\" appears {group.Count()} times.");
        foreach (var axis in Axes.Where(a => a.Values.Count == 0)) Problem($"axis \"{axis.Name}\" has no values.");
        if (Axes.Any(a => a.Name.Equals("seed", StringComparison.OrdinalIgnoreCase))) Problem("axis \"seed\": list seeds under \"seeds\" instead.");
        if (problems.Count > 0) throw Failure(problems);

        var methods = new List<TrainableMethod>();
        foreach (var name in ChoicesOf(SweepAxis.Method, Method))
        {
            try { methods.Add(TrainableMethods.Named(name)); }
            catch (ArgumentException e) { Problem($"{Where(SweepAxis.Method, name)}: {e.Message}"); }
        }
        foreach (var preset in ChoicesOf(SweepAxis.Preset, Preset))
        {
            try { Presets.Parse(preset); }
            catch (ArgumentException e) { Problem($"{Where(SweepAxis.Preset, preset)}: {e.Message}"); }
        }
        if (problems.Count > 0) throw Failure(problems);

        // Each value of each axis on its own, for every method: names the axis and value that are wrong.
        string data = ChoicesOf(SweepAxis.Data, Data)[0], presetName = ChoicesOf(SweepAxis.Preset, Preset)[0];
        foreach (var method in methods)
        {
            if (Check(method, data, presetName, Seeds[0], Set) is { } baseProblem) { Problem($"set ({method}): {baseProblem}"); continue; }
            foreach (var axis in Axes.Where(a => !a.IsRunChoice))
                foreach (var value in axis.Values)
                    if (Check(method, data, presetName, Seeds[0], [.. Set, $"{axis.Name}={value}"]) is { } problem)
                        Problem($"{Where(axis.Name, value)} ({method}): {problem}");
        }
        if (problems.Count > 0) throw Failure(problems);

        var combinations = Axes.Aggregate((IEnumerable<IReadOnlyList<AxisValue>>)[[]],
            (partial, axis) => partial.SelectMany(values => axis.Values.Select(v => (IReadOnlyList<AxisValue>)[.. values, new AxisValue(axis.Name, v)]))).ToList();
        int count = combinations.Count * Seeds.Count;
        var trials = new List<SweepTrial>(count);
        foreach (int seed in Seeds)
            foreach (var values in combinations)
            {
                string Choice(string axis, string fallback) => values.FirstOrDefault(v => v.Axis.Equals(axis, StringComparison.OrdinalIgnoreCase))?.Value ?? fallback;
                var settings = Set.Concat(values.Where(v => !SweepAxis.IsRunChoiceName(v.Axis)).Select(v => $"{v.Axis}={v.Value}")).ToList();
                var trial = new SweepTrial(trials.Count, SweepTrial.NameOf(trials.Count, count, values, seed),
                    TrainableMethods.Named(Choice(SweepAxis.Method, Method)).Name, Choice(SweepAxis.Data, Data),
                    Choice(SweepAxis.Preset, Preset).ToLowerInvariant(), seed, values, settings);
                // The whole combination too: settings can clash only together (steps below warm-up...).
                if (Check(TrainableMethods.Named(trial.Method), trial.Data, trial.Preset, seed, settings) is { } problem)
                    Problem($"trial {trial.Name}: {problem}");
                trials.Add(trial);
            }
        if (problems.Count > 0) throw Failure(problems);
        return trials;
    }

    IReadOnlyList<string> ChoicesOf(string axisName, string fallback) =>
        Axes.FirstOrDefault(a => a.Name.Equals(axisName, StringComparison.OrdinalIgnoreCase))?.Values ?? [fallback];

    static string? Check(TrainableMethod method, string data, string preset, int seed, IReadOnlyList<string> settings)
    {
        try
        {
            method.Configure(data, preset, seed, settings);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    static string Where(string axis, string value) => $"axis \"{axis}\" value \"{value}\"";

    ArgumentException Failure(List<string> problems) =>
        new($"{Source}: {problems.Count} problem{(problems.Count == 1 ? "" : "s")} before any trial ran:\n  " + string.Join("\n  ", problems));

    static readonly JsonSerializerOptions FileJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The file's shape; axes keep their order as written.</summary>
    sealed record SweepFile(string? Name, string? Method, string? Data, string? Preset,
        Dictionary<string, JsonElement>? Set, Dictionary<string, JsonElement>? Axes, List<int>? Seeds);
}
