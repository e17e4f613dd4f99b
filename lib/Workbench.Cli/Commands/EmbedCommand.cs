using System.CommandLine;
using Workbench.Data;
using Workbench.IO;
using Workbench.Runtime;
using Workbench.Text;
using Workbench.Training.Clip;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench embed</c>: a trained CLIP's embeddings as a NumPy .npy file, one float32 row per image or text.</summary>
static class EmbedCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A run folder written by `workbench train clip`.", Required = true }.RunFolder();
        var data = DataSourceInputs.DataOption("Embed the images of this source");
        var split = DataSourceInputs.SplitOption(Split.Test);
        var texts = new Option<FileInfo?>("--texts") { Description = "Embed the texts of this file, one per line, instead of images." }.ExistingFile();
        var output = new Option<string>("--out", "-o") { Description = "The .npy file to write.", Required = true }.OutputPath();
        var onBadImage = DataSourceInputs.OnBadImageOption();
        var command = new Command("embed", "Write CLIP embeddings (L2-normalised) of a data set's images, in its own order, or of texts, one per line, as .npy.")
        {
            checkpoint, data, split, texts, output, onBadImage,
        };
        command.SetAction(result => Cli.Guard(() =>
        {
            string? textFile = result.GetValue(texts)?.ToString(), source = result.GetValue(data);
            if ((textFile is null) == (source is null))
                throw new ArgumentException("Give either --data (images) or --texts FILE (one text per line).");
            var (run, model) = ClipRun.Load(result.GetValue(checkpoint)!.ToString());
            using var scope = TorchSharp.torch.NewDisposeScope();
            TorchSharp.torch.Tensor embeddings;
            string what;
            if (textFile is not null)
            {
                if (!File.Exists(textFile)) throw new FileNotFoundException($"Text file not found: {textFile}");
                var lines = File.ReadAllLines(textFile);
                if (WordTokenizer.DescribeUnknownWords(lines.Select((line, i) => ($"line {i + 1}", line)), run.Tokenizer.UnknownWords) is { } unknown)
                    Console.Error.WriteLine($"warning: {textFile}: {unknown}; the model cannot tell such words apart.");
                embeddings = run.EmbedTexts(model, lines);
                what = $"{lines.Length} texts of {textFile}";
            }
            else
            {
                var dataset = DataSourceInputs.Open(source!, result.GetValue(split), run.Config.Seed, result.GetValue(onBadImage), run.ImageSize);
                embeddings = run.EmbedImages(model, dataset, Enumerable.Range(0, dataset.Count).ToList());
                what = $"{dataset.Count} images of {dataset.Name} {result.GetValue(split).ToString().ToLowerInvariant()}";
            }
            var values = embeddings.cpu().contiguous().data<float>().ToArray();
            int rows = (int)embeddings.shape[0], columns = (int)embeddings.shape[1];
            NpyFile.Write(result.GetValue(output)!, values, rows, columns);
            Console.WriteLine($"wrote {result.GetValue(output)}: {rows} x {columns} float32 ({what})");
        }));
        return command;
    }
}
