using System.CommandLine;
using SixLabors.ImageSharp;
using Workbench.Data;
using Workbench.Plots;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench data show|stats</c>: look at a data set.</summary>
static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Look at a data set: a labelled grid of samples with their language, or counts and distributions.");
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Stats());
        return command;
    }

    static Option<int> SeedOption() => DataSourceInputs.SeedOption("Seed of generated data.");

    static Command Show()
    {
        var source = DataSourceInputs.SourceArgument();
        var split = DataSourceInputs.SplitOption(Split.Train);
        var seed = SeedOption();
        var count = new Option<int>("--count", "-n") { Description = "How many samples.", DefaultValueFactory = _ => 16 }.AtLeast(1);
        var output = new Option<string>("--out", "-o") { Description = "The PNG file to write.", Required = true }.OutputPath();
        var onBadImage = DataSourceInputs.OnBadImageOption();
        var command = new Command("show", "Write a labelled grid of samples (PNG) and print each sample's captions and question-answer pairs.")
        {
            source, split, seed, count, output, onBadImage,
        };
        command.SetAction(result => Cli.Guard(() =>
        {
            var data = DataSourceInputs.Open(result.GetValue(source)!, result.GetValue(split), result.GetValue(seed), result.GetValue(onBadImage));
            int n = Math.Min(result.GetValue(count), data.Count);
            var samples = Enumerable.Range(0, n).Select(data.Get).ToList();
            foreach (var (sample, i) in samples.Select((s, i) => (s, i)))
            {
                string label = sample.Label >= 0 && data.ClassNames is { } names ? $"  [{names[sample.Label]}]" : "";
                Console.WriteLine($"#{i}  {sample.Id}{label}");
                foreach (var caption in sample.Captions) Console.WriteLine($"    caption: {caption}");
                foreach (var qa in sample.Questions) Console.WriteLine($"    Q: {qa.Question}  A: {qa.Answer}  ({qa.Kind})");
            }
            int scale = Math.Max(1, 96 / samples.Max(s => s.Image.Width));
            var grid = ImageGrid.Compose(samples.Select(s => s.Image).ToList(), samples.Select((_, i) => $"#{i}").ToList(), columns: 8, scale: scale);
            string path = result.GetValue(output)!;
            using var image = grid.ToImage();
            using var png = new MemoryStream();
            image.SaveAsPng(png);
            Workbench.IO.AtomicFile.WriteAllBytes(path, png.ToArray());
            Console.WriteLine($"wrote {path} ({grid.Width}x{grid.Height}, {n} samples of {data.Name} {result.GetValue(split).ToString().ToLowerInvariant()})");
        }));
        return command;
    }

    static Command Stats()
    {
        var source = DataSourceInputs.SourceArgument();
        var split = DataSourceInputs.SplitOption(Split.Train);
        var seed = SeedOption();
        var count = new Option<int>("--count", "-n") { Description = "How many samples to examine.", DefaultValueFactory = _ => 2000 }.AtLeast(1);
        var onBadImage = DataSourceInputs.OnBadImageOption();
        var command = new Command("stats", "Print counts and distributions: classes, objects, colours, places, caption lengths, vocabulary.")
        {
            source, split, seed, count, onBadImage,
        };
        command.SetAction(result => Cli.Guard(() =>
        {
            var data = DataSourceInputs.Open(result.GetValue(source)!, result.GetValue(split), result.GetValue(seed), result.GetValue(onBadImage));
            Console.WriteLine(DataStatistics.Compute(data, result.GetValue(count)));
        }));
        return command;
    }
}
