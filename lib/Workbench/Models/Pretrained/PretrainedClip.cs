using Workbench.Data;
using Workbench.Data.Files;
using Workbench.Evaluation;
using Workbench.Models.Clip;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Models.Pretrained;

/// <summary>
/// A pretrained CLIP (OpenAI or OpenCLIP ViT, <see cref="ClipCheckpoint"/>) with what using it takes: CLIP's image
/// preprocessing (shorter side resized bicubic to the model's size, centre crop, CLIP's mean and std) and CLIP's BPE
/// tokenizer (start and end tokens, padded with 0 to the context length, as <c>clip.tokenize</c>). Embeddings come back
/// raw, as <c>encode_image</c> and <c>encode_text</c> return them (not normalised).
/// </summary>
public sealed class PretrainedClip : IDisposable
{
    PretrainedClip(ClipModel model, string checkpoint) => (Model, Checkpoint) = (model, checkpoint);

    /// <summary>The model, in evaluation mode.</summary>
    public ClipModel Model { get; }

    /// <summary>The checkpoint it was loaded from.</summary>
    public string Checkpoint { get; }

    /// <summary>Side of the square images the image tower reads.</summary>
    public int ImageSize => Model.Config.Vision.ImageSize;

    /// <summary>Loads <paramref name="checkpoint"/> (see <see cref="ClipCheckpoint.Load"/>).</summary>
    public static PretrainedClip Load(string checkpoint, Activation? activation = null) => new(ClipCheckpoint.Load(checkpoint, activation), checkpoint);

    /// <summary>The image files of a folder (not its subfolders), by name in ordinal order: the row order of <see cref="EmbedImageFiles"/>.</summary>
    public static IReadOnlyList<string> ImageFiles(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: image folder not found.");
        var files = Directory.EnumerateFiles(folder).Where(ImageDecoder.Default.IsImageFileName).Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files
            : throw new FileNotFoundException($"{folder}: no image files (looked for {string.Join(", ", ImageDecoder.Default.Formats)}).");
    }

    /// <summary>
    /// CLIP's preprocessing of one image file: (3, S, S) floats. A missing, damaged or oversized file fails with an
    /// <see cref="ImageDecodeException"/> naming it.
    /// </summary>
    public static float[] Preprocess(string file, int size)
    {
        using var image = ImageDecoder.Default.Decode(file);
        return ImagePreprocessing.ToChw(ImagePreprocessing.ResizeAndCenterCrop(image, size), ImageNormalization.Clip);
    }

    /// <summary>The image embeddings (N, D) of <paramref name="files"/>, in their order, <paramref name="batchSize"/> at a time.</summary>
    public Tensor EmbedImageFiles(IReadOnlyList<string> files, int batchSize = 32) =>
        EmbedBatches(files.Count, batchSize, range => range.Select(i => Preprocess(files[i], ImageSize)));

    /// <summary>The image embeddings (N, D) of decoded images (a data set's), after CLIP's preprocessing.</summary>
    public Tensor EmbedImages(IReadOnlyList<RgbImage> images, int batchSize = 32) =>
        EmbedBatches(images.Count, batchSize, range => range.Select(i =>
            ImagePreprocessing.ToChw(ImagePreprocessing.ResizeAndCenterCrop(images[i], ImageSize), ImageNormalization.Clip)));

    Tensor EmbedBatches(int count, int batchSize, Func<IEnumerable<int>, IEnumerable<float[]>> pixels) =>
        Batched(count, batchSize, (start, n) =>
        {
            var chunk = pixels(Enumerable.Range(start, n)).ToList();
            using var images = tensor(chunk.SelectMany(c => c).ToArray(), [n, 3, ImageSize, ImageSize]);
            return Model.ImageFeatures(images);
        });

    /// <summary>The rows <paramref name="embed"/> gives for (start, count) of each batch, concatenated, without gradients.</summary>
    static Tensor Batched(int count, int batchSize, Func<int, int, Tensor> embed)
    {
        var rows = new List<Tensor>();
        using var noGrad = no_grad();
        for (int start = 0; start < count; start += batchSize) rows.Add(embed(start, Math.Min(batchSize, count - start)));
        var all = cat(rows, 0);
        foreach (var r in rows) r.Dispose();
        return all;
    }

    /// <summary>
    /// CLIP's zero-shot classification of the first <paramref name="count"/> labelled samples of <paramref name="data"/>:
    /// each class the normalised mean of its prompts' embeddings (<paramref name="templates"/>, e.g.
    /// <see cref="PromptTemplates.Default"/>), each image the class it is most similar to.
    /// </summary>
    public ClassificationScores ZeroShot(IImageTextDataset data, ClipBpeTokenizer tokenizer, IReadOnlyList<string> templates, int count = 1000)
    {
        var classNames = data.ClassNames ?? throw new ArgumentException($"{data.Name} has no classes to classify into.");
        var samples = Enumerable.Range(0, data.Count).Select(data.Get).Where(s => s.Label >= 0).Take(count).ToList();
        var classifier = new ZeroShotClassifier(classNames, templates, texts =>
        {
            using var raw = EmbedTexts(tokenizer, texts);
            return nn.functional.normalize(raw, dim: -1);
        });
        using var features = EmbedImages(samples.Select(s => s.Image).ToList());
        using var unit = nn.functional.normalize(features, dim: -1);
        return classifier.Evaluate(unit, samples.Select(s => s.Label).ToList());
    }

    /// <summary>
    /// Token ids (N, context) as <c>clip.tokenize(texts, truncate=True)</c> makes them: start token, the text, end token
    /// (kept when a long text is cut), zeros after.
    /// </summary>
    public Tensor Tokenize(ClipBpeTokenizer tokenizer, IReadOnlyList<string> texts)
    {
        if (tokenizer.VocabularySize != Model.Config.Text.VocabularySize)
            throw new ArgumentException($"The tokenizer in {tokenizer.Folder} has {tokenizer.VocabularySize} tokens but {Checkpoint} was trained with {Model.Config.Text.VocabularySize}.");
        var batch = tokenizer.EncodeBatch(texts, Model.Config.Text.ContextLength);
        return tensor(batch.Ids, batch.Shape);
    }

    /// <summary>The text embeddings (N, D) of <paramref name="texts"/>, in their order.</summary>
    public Tensor EmbedTexts(ClipBpeTokenizer tokenizer, IReadOnlyList<string> texts, int batchSize = 256) =>
        Batched(texts.Count, batchSize, (start, n) =>
        {
            using var tokens = Tokenize(tokenizer, texts.Skip(start).Take(n).ToList());
            return Model.TextFeatures(tokens);
        });

    /// <summary>
    /// CLIP's tokenizer for <paramref name="checkpoint"/>: the one in <paramref name="folder"/> when given, else the
    /// <c>vocab.json</c> and <c>merges.txt</c> beside the checkpoint; fails saying which files it looked for.
    /// </summary>
    public static ClipBpeTokenizer TokenizerFor(string checkpoint, string? folder = null)
    {
        if (folder is not null) return ClipBpeTokenizer.Load(folder);
        string beside = Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;
        string[] wanted = [Path.Combine(beside, ClipBpeTokenizer.VocabularyFile), Path.Combine(beside, ClipBpeTokenizer.MergesFile)];
        if (wanted.All(File.Exists)) return ClipBpeTokenizer.Load(beside);
        throw new FileNotFoundException(
            $"No CLIP tokenizer beside {checkpoint}: looked for {string.Join(" and ", wanted)}. Pass the folder with vocab.json and " +
            $"merges.txt (--tokenizer FOLDER); the workbench ships OpenAI CLIP's in {ClipBpeTokenizer.DefaultFolder ?? "data/clip-bpe/"}.");
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
