using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using Workbench.Data;
using Workbench.Data.Files;
using Workbench.IO;
using Workbench.Models;
using Workbench.Models.Clip;
using Workbench.Models.Pretrained;
using Workbench.Text;
using static TorchSharp.torch;

namespace Workbench.Tests.Models.Pretrained;

public sealed class ClipCheckpointTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    string Write(string name, IReadOnlyDictionary<string, Tensor> tensors)
    {
        string path = temp[name];
        PythonStateDict.Write(path, tensors);
        return path;
    }

    static Tensor Images(int seed, int count = 3)
    {
        var g = new Generator((ulong)seed);
        return randn([count, 3, 32, 32], generator: g);
    }

    [Fact]
    public void TheConfigurationIsInferredFromTheShapes()
    {
        using var scope = NewDisposeScope();
        var config = ClipCheckpoint.InferConfig(PublishedModels.RandomClip(seed: 1, visionLayers: 3, textLayers: 2), "clip.pt");
        Assert.Equal(ImageEncoders.Vit, config.ImageEncoder);
        Assert.Equal(new VisionTransformerConfig(ImageSize: 32, PatchSize: 8, Width: 128, Layers: 3, Heads: 2, Channels: 3)
            { Activation = Activation.QuickGelu, PreNorm = true }, config.Vision);
        Assert.Equal(new TextTransformerConfig(100, EndOfTextId: 99, ContextLength: 16, Width: 128, Layers: 2, Heads: 2, PadId: 0)
            { Activation = Activation.QuickGelu }, config.Text);
        Assert.Equal(48, config.EmbedDim);
        Assert.Equal(ContrastiveLossKind.InfoNce, config.Loss);
    }

    [Theory]
    [InlineData("open_clip_model.safetensors")]
    [InlineData("ViT-tiny.pt")]
    public void ALoadedCheckpointEncodesImagesAndTextsAsOpenAisModelDoes(string name)
    {
        using var scope = NewDisposeScope();
        var published = PublishedModels.RandomClip(seed: 2);
        published["input_resolution"] = tensor(32L);   // metadata some exports carry; openai's build_model drops it
        string path = Write(name, published);

        using var clip = ClipCheckpoint.Load(path);
        var images = Images(3);
        var ids = tensor(new long[,] { { 98, 10, 11, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 98, 42, 7, 7, 63, 5, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0 } });
        using var noGrad = no_grad();
        var expectedImages = PublishedModels.ClipEncodeImage(published, images, heads: 2);
        var expectedTexts = PublishedModels.ClipEncodeText(published, ids, heads: 2);
        Assert.True(clip.ImageFeatures(images).allclose(expectedImages, rtol: 1e-4, atol: 1e-4));
        Assert.True(clip.TextFeatures(ids).allclose(expectedTexts, rtol: 1e-4, atol: 1e-4));
        Assert.Equal(Math.Log(1 / 0.07), clip.LogitScale.item<float>(), 5);
    }

    [Fact]
    public void OpenClipsConfigBesideTheWeightsChoosesGelu()
    {
        using var scope = NewDisposeScope();
        var published = PublishedModels.RandomClip(seed: 3, visionLayers: 1);
        string path = Write("open_clip_pytorch_model.bin", published);
        File.WriteAllText(temp[ClipCheckpoint.OpenClipConfigFile], """{"model_cfg": {"embed_dim": 48, "quick_gelu": false}}""");
        using var clip = ClipCheckpoint.Load(path);
        Assert.Equal(Activation.Gelu, clip.Config.Vision.Activation);
        using var noGrad = no_grad();
        // QuickGELU's reference no longer matches: the activation really changed.
        var images = Images(4);
        Assert.False(clip.ImageFeatures(images).allclose(PublishedModels.ClipEncodeImage(published, images, heads: 2), rtol: 1e-3, atol: 1e-3));
    }

    [Fact]
    public void TheWorkbenchsVitClipSavesInOpenAisLayoutAndLoadsBackTheSame()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(7);
        var config = ClipConfig.Sized(50, 49, 12, 32, 0, width: 64, layers: 2, heads: 2, cnnBaseWidth: 8) with
        {
            Vision = new VisionTransformerConfig(32, 8, 64, 2, 1) { Activation = Activation.QuickGelu, PreNorm = true },
            Text = new TextTransformerConfig(50, 49, 12, 64, 1, 1) { Activation = Activation.QuickGelu },
            EmbedDim = 40,
        };
        using var original = new ClipModel(config);
        original.eval();
        string path = temp["saved.safetensors"];
        ClipCheckpoint.Save(original, path);

        var file = PythonStateDict.Read(path);
        Assert.Equal([64L, 40L], file["visual.proj"].shape);
        Assert.Equal([64L, 40L], file["text_projection"].shape);
        Assert.Contains("visual.ln_pre.weight", file.Keys);
        Assert.Contains("token_embedding.weight", file.Keys);
        Assert.DoesNotContain(file.Keys, k => k.StartsWith("text."));

        var images = Images(5, count: 2);
        var ids = tensor(new long[,] { { 48, 3, 4, 49, 0, 0, 0, 0, 0, 0, 0, 0 } });
        using var noGrad = no_grad();
        Assert.True(PublishedModels.ClipEncodeImage(file, images, heads: 1).allclose(original.ImageFeatures(images), rtol: 1e-4, atol: 1e-5));
        Assert.True(PublishedModels.ClipEncodeText(file, ids, heads: 1).allclose(original.TextFeatures(ids), rtol: 1e-4, atol: 1e-5));
        using var loaded = ClipCheckpoint.Load(path);
        Assert.True(loaded.ImageFeatures(images).eq(original.ImageFeatures(images)).all().item<bool>());
        Assert.True(loaded.TextFeatures(ids).eq(original.TextFeatures(ids)).all().item<bool>());
    }

    [Fact]
    public void AMisfittingCheckpointListsEachTensorWithExpectedAndFoundShapes()
    {
        using var scope = NewDisposeScope();
        var published = PublishedModels.RandomClip(seed: 8);
        published.Remove("visual.proj");
        published["visual.transformer.resblocks.1.mlp.c_fc.weight"] = zeros(512, 64);
        published["text_tower.extra"] = zeros(2, 3);
        string path = Write("broken.pt", published);
        var error = Assert.Throws<CheckpointLayoutException>(() => ClipCheckpoint.Load(path));
        Assert.Equal(3, error.Problems.Count);
        Assert.Contains("missing visual.proj (expected [128, 48])", error.Problems);
        Assert.Contains("visual.transformer.resblocks.1.mlp.c_fc.weight: expected [512, 128], found [512, 64]", error.Problems);
        Assert.Contains("unexpected text_tower.extra [2, 3]", error.Problems);
        Assert.Contains(path, error.Message);

        var huggingFace = Write("hf.safetensors", new Dictionary<string, Tensor> { ["vision_model.embeddings.patch_embedding.weight"] = zeros(2, 3, 4, 4) });
        var wrongLayout = Assert.Throws<InvalidDataException>(() => ClipCheckpoint.Load(huggingFace));
        Assert.Contains("visual.conv1.weight", wrongLayout.Message);
        Assert.Contains("Hugging Face", wrongLayout.Message);
    }

    [Fact]
    public void EmbedWritesRawImageEmbeddingsInNameOrderAndTextEmbeddingsWithClipsTokenizer()
    {
        using var scope = NewDisposeScope();
        // A vocabulary as large as CLIP's, so the shipped BPE's ids fit; a narrow text tower keeps the file small.
        var published = PublishedModels.RandomClip(seed: 9, vocabulary: 49408, context: 77, width: 64, embed: 32, visionLayers: 1);
        string checkpoint = Write("clip.safetensors", published);
        string images = temp["images"];
        Directory.CreateDirectory(images);
        // Named so that name order differs from creation order; one is not square, so the centre crop matters.
        var colours = new[] { ("b.png", 48, 32, new Rgb24(200, 30, 30)), ("a.png", 32, 32, new Rgb24(20, 200, 90)), ("c.jpg", 40, 64, new Rgb24(10, 10, 220)) };
        foreach (var (file, w, h, colour) in colours)
        {
            using var image = new Image<Rgb24>(w, h, colour);
            for (int x = 0; x < w / 3; x++) image[x, h / 2] = new Rgb24(255, 255, 255);
            image.Save(Path.Combine(images, file));
        }
        File.WriteAllText(temp["notes.txt"], "not an image");   // skipped: not an image file name
        File.Copy(temp["notes.txt"], Path.Combine(images, "notes.txt"));

        var result = Cli.Run("embed", "--clip-checkpoint", checkpoint, "--images", images, "--out", temp["images.npy"]);
        Assert.True(result.ExitCode == 0, result.All);
        var (values, rows, columns) = NpyFile.Read(temp["images.npy"]);
        Assert.Equal((3, 32), (rows, columns));
        var files = new[] { "a.png", "b.png", "c.jpg" }.Select(f => Path.Combine(images, f)).ToList();
        var pixels = tensor(files.SelectMany(f => PretrainedClip.Preprocess(f, 32)).ToArray(), [3, 3, 32, 32]);
        var expected = PublishedModels.ClipEncodeImage(published, pixels, heads: 1);
        Assert.True(tensor(values, [3, 32]).allclose(expected, rtol: 1e-4, atol: 1e-4));

        File.WriteAllLines(temp["texts.txt"], ["a photo of a cat", "two red squares"]);
        var noTokenizer = Cli.Run("embed", "--clip-checkpoint", checkpoint, "--texts", temp["texts.txt"], "--out", temp["texts.npy"]);
        Assert.Equal(2, noTokenizer.ExitCode);
        Assert.Contains(temp[ClipBpeTokenizer.VocabularyFile], noTokenizer.Stderr);
        Assert.Contains(temp[ClipBpeTokenizer.MergesFile], noTokenizer.Stderr);

        var texts = Cli.Run("embed", "--clip-checkpoint", checkpoint, "--texts", temp["texts.txt"], "--tokenizer", Path.Combine(Cli.RepoRoot, "data", "clip-bpe"), "--out", temp["texts.npy"]);
        Assert.True(texts.ExitCode == 0, texts.All);
        var bpe = ClipBpeTokenizer.Load();
        var ids = new List<long>();
        foreach (var line in new[] { "a photo of a cat", "two red squares" })
        {
            var row = new long[77];
            var encoded = new[] { bpe.BeginId }.Concat(bpe.Encode(line)).Append(bpe.EndId).ToArray();
            for (int i = 0; i < encoded.Length; i++) row[i] = encoded[i];
            ids.AddRange(row);
        }
        var expectedTexts = PublishedModels.ClipEncodeText(published, tensor(ids.ToArray(), [2, 77]), heads: 1);
        var (textValues, textRows, _) = NpyFile.Read(temp["texts.npy"]);
        Assert.Equal(2, textRows);
        Assert.True(tensor(textValues, [2, 32]).allclose(expectedTexts, rtol: 1e-4, atol: 1e-4));

        File.WriteAllBytes(Path.Combine(images, "d.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var corrupt = Cli.Run("embed", "--clip-checkpoint", checkpoint, "--images", images, "--out", temp["bad.npy"]);
        Assert.Equal(2, corrupt.ExitCode);
        Assert.Contains("d.png", corrupt.Stderr);
    }

    [Fact]
    public void PreprocessingResizesTheShorterSideCropsTheCentreAndNormalisesWithClipsStatistics()
    {
        // A 64x32 image, left half black, right half white. Its shorter side resized to 16 gives 32x16, whose centre
        // 16x16 crop spans x = 8..23 of the resized image: black on the left, white on the right.
        string path = temp["halves.png"];
        using (var image = new Image<Rgb24>(64, 32, new Rgb24(0, 0, 0)))
        {
            for (int x = 32; x < 64; x++) for (int y = 0; y < 32; y++) image[x, y] = new Rgb24(255, 255, 255);
            image.Save(path);
        }
        var chw = PretrainedClip.Preprocess(path, 16);
        Assert.Equal(3 * 16 * 16, chw.Length);
        var clip = ImageNormalization.Clip;
        // Far from the edge the values are exactly the normalised black and white.
        Assert.Equal((0 - clip.MeanOf(0)) / clip.StdOf(0), chw[8 * 16 + 1], 4);
        Assert.Equal((1 - clip.MeanOf(2)) / clip.StdOf(2), chw[2 * 256 + 8 * 16 + 14], 4);
    }

    sealed class TwoClasses(IReadOnlyList<Sample> samples) : IImageTextDataset
    {
        public string Name => "two-classes";
        public int Count => samples.Count;
        public IReadOnlyList<string>? ClassNames => ["red square", "green circle"];
        public Sample Get(int index) => samples[index];
    }

    [Fact]
    public void ZeroShotPicksForEachImageTheClassWhoseMeanPromptEmbeddingIsNearest()
    {
        using var scope = NewDisposeScope();
        var published = PublishedModels.RandomClip(seed: 13, vocabulary: 49408, context: 77, width: 64, embed: 32, visionLayers: 1);
        string path = Write("zero-shot.safetensors", published);
        using var clip = PretrainedClip.Load(path);
        var bpe = ClipBpeTokenizer.Load();
        var g = new Random(4);
        var samples = Enumerable.Range(0, 6).Select(i =>
        {
            var image = new RgbImage(20, 24);
            g.NextBytes(image.Pixels);
            return new Sample($"s{i}", image, ["x"], [], Label: i % 3 == 2 ? -1 : i % 2);   // every third unlabelled: skipped
        }).ToList();
        string[] templates = ["a photo of a {}.", "a drawing of a {}."];
        var scores = clip.ZeroShot(new TwoClasses(samples), bpe, templates);

        // The same by hand, from OpenAI's forward written over the tensors.
        var labelled = samples.Where(s => s.Label >= 0).ToList();
        var pixels = tensor(labelled.SelectMany(s => ImagePreprocessing.ToChw(ImagePreprocessing.ResizeAndCenterCrop(s.Image, 32), ImageNormalization.Clip)).ToArray(), [labelled.Count, 3, 32, 32]);
        var images = nn.functional.normalize(PublishedModels.ClipEncodeImage(published, pixels, heads: 1), dim: -1);
        var classes = stack(new[] { "red square", "green circle" }.Select(name =>
        {
            var ids = templates.Select(t => new[] { bpe.BeginId }.Concat(bpe.Encode(t.Replace("{}", name))).Append(bpe.EndId).Select(i => (long)i)
                .Concat(Enumerable.Repeat(0L, 77)).Take(77)).SelectMany(r => r).ToArray();
            var mean = nn.functional.normalize(PublishedModels.ClipEncodeText(published, tensor(ids, [templates.Length, 77]), heads: 1), dim: -1).mean([0]);
            return mean / mean.norm();
        }));
        var predicted = images.matmul(classes.T).argmax(1).data<long>().ToArray();
        double top1 = labelled.Select((s, i) => predicted[i] == s.Label ? 1.0 : 0.0).Average();
        Assert.Equal(top1, scores.Top1, 6);
        Assert.Equal(labelled.Count, scores.Confusion.Sum(row => row.Sum()));
        for (int i = 0; i < labelled.Count; i++) Assert.Equal(1, scores.Confusion[labelled[i].Label][predicted[i]] > 0 ? 1 : 0);
    }
}
