using Workbench.Data;
using Workbench.Data.Fashion;
using Workbench.Data.Files;
using Workbench.Data.Loading;
using Workbench.Data.Shapes;
using Workbench.Text;

namespace Workbench.Tests.Data;

public sealed class HardNegativesTests
{
    static SceneObject Shape(string kind, string color, int row, int column) =>
        new(kind, color, "large", row, column, Place(row, column));

    static string Place(int row, int column) => (row, column) switch
    {
        (0, 0) => "top left", (1, 1) => "center", (2, 2) => "bottom right", _ => "top",
    };

    static string[] Words(string caption) => caption.Split([' ', ',', ';', ':', '.'], StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void TwoObjectsOfDifferentKindsSwapKindsAndKeepEverythingElse()
    {
        var scene = new Scene([Shape("circle", "red", 0, 0), Shape("square", "blue", 1, 1)], 3, 3);

        var (negative, swapped) = HardNegatives.Negative(scene, ["circle", "square", "triangle"], new Random(1));

        Assert.True(swapped);
        Assert.Equal([Shape("square", "red", 0, 0), Shape("circle", "blue", 1, 1)], negative.Objects);
    }

    [Fact]
    public void ASwappedCaptionHasTheSameWordsInAnotherBinding()
    {
        var world = new ShapesWorld(new ShapesWorldConfig { Split = Split.Test, MinObjects = 2, MaxObjects = 3 });
        var random = new Random(5);
        int swaps = 0;
        for (int i = 0; i < 40; i++)
        {
            var sample = world.Get(i);
            for (int paraphrase = 0; paraphrase < sample.Captions.Count; paraphrase++)
            {
                var (caption, swapped) = HardNegatives.Caption(world.Language, sample, paraphrase, random);
                Assert.NotEqual(sample.Captions[paraphrase], caption);
                if (!swapped) continue;
                swaps++;
                Assert.Equal(Words(sample.Captions[paraphrase]), Words(caption));
            }
        }
        Assert.True(swaps > 100, $"only {swaps} swaps among 40 scenes of two or three objects");
    }

    [Fact]
    public void AScenesOfOneKindHasAKindReplacedByAnotherTheDataSetDraws()
    {
        var scene = new Scene([Shape("circle", "red", 0, 0), Shape("circle", "blue", 1, 1)], 3, 3);
        string[] kinds = ["circle", "square", "triangle"];

        for (int seed = 0; seed < 20; seed++)
        {
            var (negative, swapped) = HardNegatives.Negative(scene, kinds, new Random(seed));
            Assert.False(swapped);
            var changed = negative.Objects.Where((o, i) => o != scene.Objects[i]).ToList();
            Assert.Single(changed);
            Assert.Contains(changed[0].Kind, new[] { "square", "triangle" });
        }
    }

    [Fact]
    public void EachGeneratedDataSetWordsItsOwnScenesAsItsSamplesDo()
    {
        var shapes = new ShapesWorld(new ShapesWorldConfig { Split = Split.Validation });
        var fashion = new FashionScenes(Split.Train, SyntheticFashionItems(), new FashionScenesConfig(Seed: 3, TrainCount: 40, ValidationCount: 4, TestCount: 4, MaxItems: 4));
        foreach (IImageTextDataset data in new IImageTextDataset[] { shapes, fashion, new DatasetPrefix(shapes, 10) })
            for (int i = 0; i < 10; i++)
            {
                var sample = data.Get(i);
                Assert.Equal(sample.Captions, data.Language!.Captions(sample.Scene!));
                Assert.All(sample.Scene!.Objects, o => Assert.Contains(o.Kind, data.Language.Kinds));
            }
    }

    [Fact]
    public void ADataSetThatDoesNotGenerateItsScenesHasNoLanguage() =>
        Assert.Null(((IImageTextDataset)new TinyDataset(4)).Language);

    [Fact]
    public void TheCollatorGivesEachPairItsNegativeInTheSameWording()
    {
        var world = new ShapesWorld(new ShapesWorldConfig { Split = Split.Train, MinObjects = 2, MaxObjects = 3 });
        var samples = Enumerable.Range(0, 16).Select(world.Get).ToList();
        var tokenizer = WordTokenizer.Build(samples.SelectMany(s => s.Captions));
        var collate = ImageTextBatch.Collator(tokenizer, 40, ImageNormalization.Half, seed: 2, hardNegatives: world.Language);

        var batch = collate(samples, 0);
        var again = collate(samples, 0);

        Assert.NotNull(batch.Negatives);
        Assert.Equal(batch.Negatives!.Ids, again.Negatives!.Ids);   // a pure function of (seed, batch)
        var negatives = Enumerable.Range(0, 16).Select(r => tokenizer.Decode(batch.Negatives.Ids.Skip(r * 40).Take(40).Select(id => (int)id))).ToList();
        var captions = Enumerable.Range(0, 16).Select(r => tokenizer.Decode(batch.Tokens.Ids.Skip(r * 40).Take(40).Select(id => (int)id))).ToList();
        for (int r = 0; r < 16; r++)
        {
            Assert.NotEqual(captions[r], negatives[r]);
            Assert.Equal(captions[r].Split(' ').Length, negatives[r].Split(' ').Length);
        }
        Assert.Null(ImageTextBatch.Collator(tokenizer, 40, ImageNormalization.Half, seed: 2)(samples, 0).Negatives);
    }

    [Fact]
    public void AnImageScoresOneForPreferringItsCaptionZeroForTheNegativeAndHalfForATie()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var images = TorchSharp.torch.tensor(new float[] { 1, 0, 0, 1, 0.6f, 0.8f }).reshape(3, 2);
        var texts = TorchSharp.torch.tensor(new float[] { 1, 0, 1, 0, 0.8f, 0.6f }).reshape(3, 2);
        var negatives = TorchSharp.torch.tensor(new float[] { 0, 1, 0, 1, 0.8f, 0.6f }).reshape(3, 2);
        // Image 0: 1 against 0; image 1: 0 against 1; image 2: 0.96 against 0.96 (a bag-of-words encoder's swap).
        Assert.Equal([1.0, 0.0, 0.5], Workbench.Training.Clip.ClipEvaluation.PreferenceScores(images, texts, negatives));
    }

    static FashionItems SyntheticFashionItems()
    {
        const int side = 4;
        var pixels = new byte[10 * side * side];
        for (int k = 0; k < pixels.Length; k++) pixels[k] = (byte)(k * 37 % 256);
        return new FashionItems(pixels, Enumerable.Range(0, 10).Select(i => (byte)i).ToArray(), side);
    }
}
