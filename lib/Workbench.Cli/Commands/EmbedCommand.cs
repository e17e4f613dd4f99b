using System.CommandLine;
using Workbench.Data;
using Workbench.IO;
using Workbench.Models.Pretrained;
using Workbench.Runtime;
using Workbench.Text;
using Workbench.Training.Clip;

namespace Workbench.Cli.Commands;

/// <summary>
/// <c>workbench embed</c>: CLIP embeddings as a NumPy .npy file, one float32 row per image or text: of a workbench run
/// (<c>--checkpoint DIR</c>; L2-normalised) or of a pretrained OpenAI/OpenCLIP checkpoint (<c>--clip-checkpoint FILE</c>;
/// raw, as <c>encode_image</c>/<c>encode_text</c> return them).
/// </summary>
static class EmbedCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A run folder written by `workbench train clip`." }.RunFolder();
        var clipCheckpoint = new Option<FileInfo?>("--clip-checkpoint") { Description = "A pretrained CLIP in OpenAI/OpenCLIP's state-dict layout (.safetensors, .pt, .bin)." }.ExistingFile();
        var images = new Option<DirectoryInfo?>("--images") { Description = "With --clip-checkpoint: embed the image files of this folder, one row per file in name order." }.ExistingFolder();
        var tokenizer = new Option<DirectoryInfo?>("--tokenizer") { Description = "With --clip-checkpoint --texts: the folder with CLIP's vocab.json and merges.txt (default: beside the checkpoint)." }.ExistingFolder();
        var data = DataSourceInputs.DataOption("Embed the images of this source");
        var split = DataSourceInputs.SplitOption(Split.Test);
        var texts = new Option<FileInfo?>("--texts") { Description = "Embed the texts of this file, one per line, instead of images." }.ExistingFile();
        var output = new Option<string>("--out", "-o") { Description = "The .npy file to write.", Required = true }.OutputPath();
        var onBadImage = DataSourceInputs.OnBadImageOption();
        var command = new Command("embed", "Write CLIP embeddings as .npy: a run's (L2-normalised) of a data set's images, in its own order, or of texts, one per line; " +
            "or a pretrained checkpoint's (raw) of an image folder's files, in name order, or of texts.")
        {
            checkpoint, clipCheckpoint, images, tokenizer, data, split, texts, output, onBadImage,
        };
        command.SetAction(result => Cli.Guard(() =>
        {
            string? textFile = result.GetValue(texts)?.ToString(), source = result.GetValue(data);
            if ((result.GetValue(checkpoint) is null) == (result.GetValue(clipCheckpoint) is null))
                throw new ArgumentException("Give either --checkpoint DIR (a workbench CLIP run) or --clip-checkpoint FILE (a pretrained CLIP).");
            if (result.GetValue(clipCheckpoint) is { } pretrained)
            {
                EmbedPretrained(pretrained.ToString(), result.GetValue(images)?.ToString(), textFile, result.GetValue(tokenizer)?.ToString(), result.GetValue(output)!);
                return;
            }
            if (result.GetValue(images) is not null || result.GetValue(tokenizer) is not null)
                throw new ArgumentException("--images and --tokenizer go with --clip-checkpoint; a run folder embeds --data or --texts.");
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
            Write(result.GetValue(output)!, embeddings, what);
        }));
        return command;
    }

    /// <summary>Raw embeddings of a pretrained checkpoint: of an image folder's files (name order) or of a text file's lines.</summary>
    static void EmbedPretrained(string checkpoint, string? imageFolder, string? textFile, string? tokenizerFolder, string output)
    {
        if ((imageFolder is null) == (textFile is null))
            throw new ArgumentException("With --clip-checkpoint give either --images FOLDER or --texts FILE.");
        using var clip = PretrainedClip.Load(checkpoint);
        using var scope = TorchSharp.torch.NewDisposeScope();
        TorchSharp.torch.Tensor embeddings;
        string what;
        if (imageFolder is not null)
        {
            var files = PretrainedClip.ImageFiles(imageFolder);
            embeddings = clip.EmbedImageFiles(files);
            what = $"{files.Count} images of {imageFolder}, in name order, {clip.ImageSize}x{clip.ImageSize} after CLIP's preprocessing";
        }
        else
        {
            var bpe = PretrainedClip.TokenizerFor(checkpoint, tokenizerFolder);
            var lines = File.ReadAllLines(textFile!);
            embeddings = clip.EmbedTexts(bpe, lines);
            what = $"{lines.Length} texts of {textFile}, CLIP BPE from {bpe.Folder}";
        }
        Write(output, embeddings, what);
    }

    static void Write(string output, TorchSharp.torch.Tensor embeddings, string what)
    {
        var values = embeddings.cpu().contiguous().data<float>().ToArray();
        int rows = (int)embeddings.shape[0], columns = (int)embeddings.shape[1];
        NpyFile.Write(output, values, rows, columns);
        Console.WriteLine($"wrote {output}: {rows} x {columns} float32 ({what})");
    }
}
