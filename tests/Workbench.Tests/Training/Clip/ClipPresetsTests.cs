using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Workbench.Models;
using Workbench.Models.Clip;
using Workbench.Runtime;
using Workbench.Training.Clip;

namespace Workbench.Tests.Training.Clip;

/// <summary>The CLIP presets are what the README's hyperparameter table says, and differ in training length, not model size.</summary>
public sealed partial class ClipPresetsTests
{
    const string TableHeading = "### CLIP presets: every hyperparameter";

    /// <summary>Settings that say which run this is rather than how it trains.</summary>
    static readonly string[] NotHyperparameters = [nameof(ClipRunConfig.Data), nameof(ClipRunConfig.Preset), nameof(ClipRunConfig.Seed)];

    static readonly PropertyInfo[] Hyperparameters = typeof(ClipRunConfig)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && !NotHyperparameters.Contains(p.Name)).ToArray();   // Method and Trainer are derived

    /// <summary>The README's preset table: column headers (data and preset) and rows (setting name to cells by column).</summary>
    sealed record PresetTable(IReadOnlyList<(string Data, string Preset)> Columns, IReadOnlyDictionary<string, string[]> Rows);

    static PresetTable ReadTable()
    {
        var lines = File.ReadAllLines(Path.Combine(Cli.RepoRoot, "README.md"));
        int heading = Array.IndexOf(lines, TableHeading);
        Assert.True(heading >= 0, $"README.md has no heading \"{TableHeading}\"");
        var table = lines.Skip(heading + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).ToList();
        Assert.True(table.Count > 2, "the preset table is missing");

        static string[] Cells(string line) => line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
        var header = Cells(table[0]);
        Assert.Equal(["setting", "what it is"], header.Take(2));
        var columns = header.Skip(2).Select(h =>
        {
            int space = h.LastIndexOf(' ');
            return (h[..space], h[(space + 1)..]);
        }).ToList();
        var rows = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var line in table.Skip(2))
        {
            var cells = Cells(line);
            Assert.True(cells.Length == header.Length, $"README row has {cells.Length} cells, the header {header.Length}: {line}");
            Assert.True(rows.TryAdd(cells[0].Trim('`'), cells[2..]), $"README lists {cells[0]} twice");
        }
        return new PresetTable(columns, rows);
    }

    [GeneratedRegex(@"(?<=\d),(?=\d{3})")]
    private static partial Regex ThousandsSeparator();

    /// <summary>
    /// Whether a README cell says the same as a config value: numbers by value, names case-blind, yes/no, all for null,
    /// a precision by its name or "auto" for the one the presets resolve to here (PreferredPrecisionTests checks that
    /// they follow it).
    /// </summary>
    static bool Same(string cell, object? value)
    {
        string text = ThousandsSeparator().Replace(cell, "").ToLowerInvariant();
        return value switch
        {
            null => text == "all",
            Precision p => text == "auto" ? p == PreferredPrecision.Current : text == MixedPrecision.Name(p),
            bool b => text == (b ? "yes" : "no"),
            int or long or double => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)
                                     && number == Convert.ToDouble(value, CultureInfo.InvariantCulture),
            _ => text == value.ToString()!.ToLowerInvariant(),
        };
    }

    [Fact]
    public void TheReadmeTableListsEveryHyperparameterAndNothingElse()
    {
        var table = ReadTable();
        Assert.Equal(Hyperparameters.Select(p => p.Name).Order(), table.Rows.Keys.Order());
        Assert.Equal([("fashion-mnist", "quick"), ("fashion-mnist", "full"), ("shapes", "quick"), ("shapes", "full")], table.Columns);
    }

    [Fact]
    public void TheReadmeTableShowsEachPresetsValues()
    {
        var table = ReadTable();
        var wrong = new List<string>();
        for (int column = 0; column < table.Columns.Count; column++)
        {
            var (data, preset) = table.Columns[column];
            var config = ClipRunConfig.For(data, preset);
            foreach (var property in Hyperparameters)
            {
                if (!table.Rows.TryGetValue(property.Name, out var cells)) continue;   // the other test names it
                object? value = property.GetValue(config);
                if (!Same(cells[column], value)) wrong.Add($"{property.Name} of {data} {preset}: README says {cells[column]}, the code {value ?? "null"}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Theory]
    [InlineData("quick")]
    [InlineData("full")]
    public void OtherSourcesGetTheShapesPresets(string preset)
    {
        var shapes = ClipRunConfig.For("shapes", preset);
        foreach (var data in new[] { "fashion-scenes", "photos/captions.csv" })
            Assert.Equal(shapes with { Data = data }, ClipRunConfig.For(data, preset));
    }

    [Theory]
    [InlineData("fashion-mnist", 28)]
    [InlineData("shapes", 32)]
    public void QuickAndFullTrainTheSameQuickSizedModelAndDifferInLength(string data, int imageSize)
    {
        var quick = ClipRunConfig.For(data, "quick");
        var full = ClipRunConfig.For(data, "full");
        var model = quick.ModelConfigFor(vocabularySize: 300, endOfTextId: 2, padId: 0, imageSize);
        Assert.Equal(model, full.ModelConfigFor(300, 2, 0, imageSize));
        Assert.Equal(ClipConfig.Quick(300, 2, quick.ContextLength, imageSize) with { ImageEncoder = ImageEncoders.Cnn }, model);
        Assert.True(full.Steps >= 4 * quick.Steps, $"full {full.Steps} steps against quick {quick.Steps}");
    }

    [Fact]
    public void TheTrainerRunsWithTheConfigsOptimiserSettings()
    {
        var config = ClipRunConfig.For("shapes", "quick") with
        {
            AdamBeta1 = 0.8, AdamBeta2 = 0.95, AdamEpsilon = 1e-7, GradientClipNorm = 2, MinLearningRateRatio = 0.05, WeightDecay = 0.2,
        };
        var trainer = config.Trainer;
        Assert.Equal((0.8, 0.95), trainer.Betas);
        Assert.Equal((1e-7, 2.0, 0.05, 0.2), (trainer.Eps, trainer.GradientClipNorm!.Value, trainer.MinLearningRateRatio, trainer.WeightDecay));
        Assert.Equal((config.Steps, config.WarmupSteps, config.LearningRate, config.EvalEvery, config.CheckpointEvery, (long)config.Seed),
                     (trainer.Steps, trainer.WarmupSteps, trainer.LearningRate, trainer.EvalEvery, trainer.CheckpointEvery, trainer.Seed));
    }
}
