using System.CommandLine;
using Workbench.Data;
using Workbench.Data.Files;

namespace Workbench.Cli.Commands;

/// <summary>
/// The options every command that reads a data source shares (the source, <c>--split</c>, <c>--seed</c>,
/// <c>--on-bad-image</c>), and opening a source as a command does: a caption file's skipped images are printed
/// (or, with <c>--on-bad-image fail</c>, the first is the error), and an empty split is a clear failure.
/// </summary>
static class DataSourceInputs
{
    const string Choices = "shapes, fashion-mnist, fashion-scenes, or the path of a caption file (.csv/.tsv/.jsonl/.json) next to its images";

    /// <summary>Skipped images listed one per line; the rest are counted.</summary>
    const int MaxListed = 20;

    /// <summary>The data source as a positional argument.</summary>
    public static Argument<string> SourceArgument()
    {
        var argument = new Argument<string>("source") { Description = Choices + "." };
        argument.CompletionSources.Add(DataSources.Names.ToArray());
        return argument.Check(source => Problem(source, "<source>"));
    }

    /// <summary>The data source as <c>--data</c> (null when not given and no default).</summary>
    public static Option<string?> DataOption(string description, string? defaultSource = null)
    {
        var option = new Option<string?>("--data") { Description = $"{description}: {Choices}." };
        if (defaultSource is not null) option.DefaultValueFactory = _ => defaultSource;
        option.CompletionSources.Add(DataSources.Names.ToArray());
        return option.Check(source => Problem(source, option.Name));
    }

    /// <summary><c>--split</c>.</summary>
    public static Option<Split> SplitOption(Split defaultSplit) =>
        new("--split") { Description = "train, validation or test.", DefaultValueFactory = _ => defaultSplit };

    /// <summary><c>--seed</c>: 0 or more.</summary>
    public static Option<int> SeedOption(string description) =>
        new Option<int>("--seed") { Description = description, DefaultValueFactory = _ => 0 }.AtLeast(0);

    /// <summary><c>--on-bad-image skip|fail</c>: the library's <see cref="BadImagePolicy"/>.</summary>
    public static Option<BadImagePolicy> OnBadImageOption() => new("--on-bad-image")
    {
        Description = "For a caption file: skip images that are missing, damaged or too large (and list them), or fail on the first.",
        DefaultValueFactory = _ => BadImagePolicy.Skip,
    };

    /// <summary>
    /// Opens one split (at <paramref name="imageSize"/>, a model's input size, or the source's default): lists (or
    /// fails on) a caption file's bad images; fails when the split is empty.
    /// </summary>
    public static IImageTextDataset Open(string source, Split split, int seed, BadImagePolicy onBadImage, int? imageSize = null)
    {
        var data = DataSources.Open(source, split, new DataSourceOptions(Seed: seed, ImageSize: imageSize, OnBadImage: onBadImage));
        ReportSkippedImages(data, onBadImage);
        RequireSamples(data, split);
        return data;
    }

    /// <summary>
    /// Before training (or evaluating) on a caption file: lists (or fails on) its bad images, and fails when any of
    /// the three splits is empty, since training reads all three. Other sources are left to the run.
    /// </summary>
    public static void RequireEverySplit(string source, DataSourceOptions options)
    {
        if (!File.Exists(source)) return;
        var train = DataSources.Open(source, Split.Train, options);
        ReportSkippedImages(train, options.OnBadImage);
        if (train is not SplitView view) return;
        var counts = Enum.GetValues<Split>().ToDictionary(s => s, _ => 0);
        for (int i = 0; i < view.Source.Count; i++) counts[SplitView.SplitOf(view.Source.IdOf(i))]++;
        if (counts.Values.Any(c => c == 0))
            throw new CommandFailedException(
                $"{view.Name}: its {view.Source.Count} usable images give {string.Join(", ", counts.Select(c => $"{Name(c.Key)} {c.Value}"))}; " +
                $"every split needs samples ({SplitRule}).");
    }

    /// <summary>
    /// Lists what opening a caption file left out, on stderr; with <see cref="BadImagePolicy.Fail"/> the first bad
    /// image is the error instead (for data that a run opened, which always skips).
    /// </summary>
    public static void ReportSkippedImages(IImageTextDataset data, BadImagePolicy onBadImage)
    {
        if (ImageFolderReport.Of(data) is not { } report) return;
        if (report.Skipped.Count > 0 && onBadImage == BadImagePolicy.Fail)
        {
            var first = report.Skipped[0];
            throw new ImageDecodeException(first.ImagePath, first.Problem, first.Reason);
        }
        if (report.Skipped.Count > 0 || report.EntriesWithoutImage > 0 || report.ImagesWithoutCaptions > 0)
            Console.Error.WriteLine(report.Describe(MaxListed));
    }

    /// <summary>Fails, saying why, when a split has no samples.</summary>
    public static void RequireSamples(IImageTextDataset data, Split split)
    {
        if (data.Count > 0) return;
        string why = ImageFolderReport.Of(data) is { } report ? $" (of its {report.Usable} usable images; {SplitRule})" : "";
        throw new CommandFailedException($"{data.Name} has no samples in the {Name(split)} split{why}.");
    }

    const string SplitRule = "each image of a caption file goes to train, validation or test by a hash of its path, about 90%, 5% and 5%";

    static string Name(Split split) => split.ToString().ToLowerInvariant();

    static string? Problem(string? source, string name) =>
        source is null ? null
        : string.IsNullOrWhiteSpace(source) ? $"{name}: give a data source: {Choices}."
        : DataSources.Names.Contains(source.ToLowerInvariant()) || File.Exists(source) ? null
        : Directory.Exists(source) ? $"{name}: {source} is a folder; give the caption file in it."
        : source.Contains('/') || source.Contains('\\') || Path.HasExtension(source) ? $"{name}: caption file not found: {source}"
        : $"Unknown data source '{source}' for {name}: use {Choices}.";
}
