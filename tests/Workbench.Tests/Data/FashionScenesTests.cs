using System.Text.RegularExpressions;
using Workbench.Data;
using Workbench.Data.Fashion;

namespace Workbench.Tests.Data;

/// <summary>Real scenes over the installed Fashion-MNIST, built once for the class.</summary>
public sealed class FashionScenesFixture
{
    public static readonly FashionScenesConfig Config = new(Seed: 7, TrainCount: 300, ValidationCount: 300, TestCount: 300, MaxItems: 4);
    public string? Folder { get; } = FashionMnistLocator.TryLocate();
    public Dictionary<Split, FashionScenes> Scenes { get; } = [];

    public FashionScenesFixture()
    {
        if (Folder is null) return;
        foreach (var split in Enum.GetValues<Split>()) Scenes[split] = new FashionScenes(split, Config, Folder);
    }
}

public sealed class FashionScenesTests(FashionScenesFixture real) : IClassFixture<FashionScenesFixture>
{
    const int ItemSide = 4;

    /// <summary>One synthetic 4x4 item per class: a checkerboard of 255 and 0 with two mid-grey pixels.</summary>
    static FashionItems SyntheticItems()
    {
        var pixels = new byte[10 * ItemSide * ItemSide];
        for (int k = 0; k < 10; k++)
        for (int p = 0; p < ItemSide * ItemSide; p++)
            pixels[k * 16 + p] = p is 5 or 10 ? (byte)128 : ((p / ItemSide + p % ItemSide + k) % 2 == 0 ? (byte)255 : (byte)0);
        return new FashionItems(pixels, Enumerable.Range(0, 10).Select(i => (byte)i).ToArray(), ItemSide);
    }

    static readonly FashionScenesConfig SyntheticConfig = new(Seed: 3, TrainCount: 400, ValidationCount: 50, TestCount: 50, MaxItems: 4);

    [Fact]
    public void SameSeedSplitAndIndexGiveTheSameScene()
    {
        var a = new FashionScenes(Split.Train, SyntheticItems(), SyntheticConfig);
        var b = new FashionScenes(Split.Train, SyntheticItems(), SyntheticConfig);
        var other = new FashionScenes(Split.Train, SyntheticItems(), SyntheticConfig with { Seed = 4 });
        int differing = 0;
        for (int i = 0; i < 50; i++)
        {
            Sample x = a.Get(i), y = b.Get(i);
            Assert.Equal(x.Image.Pixels, y.Image.Pixels);
            Assert.Equal(x.Captions, y.Captions);
            Assert.Equal(x.Questions, y.Questions);
            if (!other.Get(i).Image.Pixels.SequenceEqual(x.Image.Pixels)) differing++;
        }
        Assert.True(differing > 40, $"another seed changed only {differing} of 50 scenes");
    }

    [Fact]
    public void SyntheticPixelsAreTheTintedItemsInTheirQuadrantsOverBackground()
    {
        var scenes = new FashionScenes(Split.Train, SyntheticItems(), SyntheticConfig);
        var items = SyntheticItems();
        for (int i = 0; i < 100; i++)
        {
            var sample = scenes.Get(i);
            Assert.Equal((8, 8), (sample.Image.Width, sample.Image.Height));
            var layout = scenes.Layout(i);
            for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                var pixel = sample.Image[x, y];
                var item = layout.SingleOrDefault(it => it.Row == y / ItemSide && it.Column == x / ItemSide);
                int grey = item is null ? 0 : items.Grey(item.ItemIndex)[(y % ItemSide) * ItemSide + x % ItemSide];
                if (grey == 255)
                    Assert.Equal((item!.Color.R, item.Color.G, item.Color.B), (pixel.R, pixel.G, pixel.B));
                else if (grey == 0)
                {
                    Assert.True(pixel.R == pixel.G && pixel.G == pixel.B, $"scene {i} background at ({x},{y}) is not grey");
                    Assert.InRange(pixel.R, 16 - 6, 16 + 6);
                }
                else // half opacity: halfway between the background and the tint
                    Assert.InRange(pixel.R, (10 + item!.Color.R) / 2 - 1, (22 + item.Color.R) / 2 + 1);
            }
        }
    }

    [Fact]
    public void ScenesHoldOneToMaxItemsInDistinctQuadrants()
    {
        var scenes = new FashionScenes(Split.Train, SyntheticItems(), SyntheticConfig);
        var sizes = new HashSet<int>();
        for (int i = 0; i < scenes.Count; i++)
        {
            var scene = scenes.Get(i).Scene!;
            sizes.Add(scene.Objects.Count);
            Assert.Equal((2, 2), (scene.GridRows, scene.GridColumns));
            Assert.Equal(scene.Objects.Count, scene.Objects.Select(o => (o.Row, o.Column)).Distinct().Count());
            Assert.All(scene.Objects, o => Assert.Equal(("large", FashionScenes.PlaceName(o.Row, o.Column)), (o.Size, o.Place)));
        }
        Assert.Equal([1, 2, 3, 4], sizes.Order());
        Assert.Equal(["top left", "top right", "bottom left", "bottom right"], new[] { (0, 0), (0, 1), (1, 0), (1, 1) }.Select(rc => FashionScenes.PlaceName(rc.Item1, rc.Item2)));
        Assert.All(Enumerable.Range(0, 100).Select(i => new FashionScenes(Split.Test, SyntheticItems(), SyntheticConfig with { MaxItems = 2 }).Layout(i % 50).Count),
            n => Assert.InRange(n, 1, 2));
    }

    [Fact]
    public void LabelIsTheClassOfASingleItemElseMinusOne()
    {
        var scenes = new FashionScenes(Split.Train, SyntheticItems(), SyntheticConfig);
        for (int i = 0; i < 100; i++)
        {
            var sample = scenes.Get(i);
            var objects = sample.Scene!.Objects;
            Assert.Equal(objects.Count == 1 ? FashionClasses.LabelOf(objects[0].Kind) : -1, sample.Label);
        }
    }

    [Fact]
    public void SyntheticCaptionsAndAnswersAgreeWithTheScene()
    {
        var scenes = new FashionScenes(Split.Train, SyntheticItems(), SyntheticConfig);
        for (int i = 0; i < scenes.Count; i++) CheckLanguage(scenes.Get(i));
    }

    [Fact]
    public void ConfigOutOfRangeIsRejected()
    {
        Assert.Throws<ArgumentException>(() => new FashionScenes(Split.Train, SyntheticItems(), new FashionScenesConfig(MaxItems: 5)));
        Assert.Throws<ArgumentException>(() => new FashionScenes(Split.Train, SyntheticItems(), new FashionScenesConfig(MinItems: 0)));
        Assert.Throws<ArgumentException>(() => new FashionScenes(Split.Train, SyntheticItems(), new FashionScenesConfig(BackgroundLevel: 3, Noise: 6)));
    }

    [SkippableFact]
    public void RealItemsShowTheirStatedColourOnlyInTheirQuadrant()
    {
        Skip.If(real.Folder is null, FashionMnistFixture.SkipReason);
        string[] primaries = ["red", "green", "blue"];
        foreach (var scenes in real.Scenes.Values)
            for (int i = 0; i < 40; i++)
            {
                var sample = scenes.Get(i);
                var objects = sample.Scene!.Objects;
                var pixels = sample.Image.Pixels;
                Assert.Equal((56, 56), (sample.Image.Width, sample.Image.Height));
                for (int y = 0; y < 56; y++)
                for (int x = 0; x < 56; x++)
                {
                    int p = 3 * (y * 56 + x);
                    byte r = pixels[p], g = pixels[p + 1], b = pixels[p + 2];
                    if (Math.Max(r, Math.Max(g, b)) < 100) continue;
                    SceneObject? obj = null;
                    foreach (var o in objects) if (o.Row == y / 28 && o.Column == x / 28) obj = o;
                    if (obj is null) Assert.Fail($"{sample.Id}: bright pixel at ({x},{y}) in an empty quadrant");
                    string nearest = NearestColour(r, g, b);
                    if (nearest != obj.Color) Assert.Fail($"{sample.Id}: pixel ({r},{g},{b}) at ({x},{y}) looks {nearest}, the scene says {obj.Color}");
                    int primary = Array.IndexOf(primaries, obj.Color);
                    int dominant = r >= g && r >= b ? 0 : g >= b ? 1 : 2;
                    if (primary >= 0 && primary != dominant) Assert.Fail($"{sample.Id}: a {obj.Color} pixel ({r},{g},{b}) at ({x},{y})");
                }
            }
    }

    [SkippableFact]
    public void TestScenesAreDrawnFromTestItems()
    {
        Skip.If(real.Folder is null, FashionMnistFixture.SkipReason);
        var test = new FashionMnist(Split.Test, real.Folder);
        var scenes = real.Scenes[Split.Test];
        for (int i = 0; i < 100; i++)
        {
            var image = scenes.Render(i);
            foreach (var item in scenes.Layout(i))
            {
                Assert.Equal(test.SourceIndex(item.ItemIndex), item.SourceIndex);
                Assert.Equal(test.Get(item.ItemIndex).Label, item.Label);
                // Reconstruct: where the test photo is white, the scene shows the pure tint; where black, background.
                var grey = test.Items.Grey(item.ItemIndex);
                for (int p = 0; p < 28 * 28; p++)
                {
                    var pixel = image[item.Column * 28 + p % 28, item.Row * 28 + p / 28];
                    if (grey[p] == 255) Assert.Equal((item.Color.R, item.Color.G, item.Color.B), (pixel.R, pixel.G, pixel.B));
                    if (grey[p] == 0) Assert.InRange(pixel.R, 10, 22);
                }
            }
        }
    }

    [SkippableFact]
    public void TrainAndValidationScenesKeepToTheirPartition()
    {
        Skip.If(real.Folder is null, FashionMnistFixture.SkipReason);
        var validation = new FashionMnist(Split.Validation, real.Folder);
        var validationSources = Enumerable.Range(0, validation.Count).Select(validation.SourceIndex).ToHashSet();
        var fromTrain = Enumerable.Range(0, 300).SelectMany(real.Scenes[Split.Train].Layout).ToArray();
        var fromValidation = Enumerable.Range(0, 300).SelectMany(real.Scenes[Split.Validation].Layout).ToArray();
        Assert.All(fromTrain, item => Assert.DoesNotContain(item.SourceIndex, validationSources));
        Assert.All(fromValidation, item => Assert.Contains(item.SourceIndex, validationSources));
    }

    [SkippableFact]
    public void RealCaptionsAndAnswersAgreeWithTheScene()
    {
        Skip.If(real.Folder is null, FashionMnistFixture.SkipReason);
        foreach (var scenes in real.Scenes.Values)
            for (int i = 0; i < 100; i++) CheckLanguage(scenes.Get(i));
    }

    static readonly (string Name, double R, double G, double B)[] Directions = FashionPalette.Colors.Select(c =>
    {
        double r = c.R - 16, g = c.G - 16, b = c.B - 16, norm = Math.Sqrt(r * r + g * g + b * b);
        return (c.Name, r / norm, g / norm, b / norm);
    }).ToArray();

    /// <summary>The palette colour whose direction is nearest to the pixel's, after taking away the background level.</summary>
    static string NearestColour(byte r, byte g, byte b)
    {
        string best = "";
        double bestCosine = double.NegativeInfinity;
        foreach (var d in Directions)
        {
            double cosine = (r - 16) * d.R + (g - 16) * d.G + (b - 16) * d.B;
            if (cosine > bestCosine) (best, bestCosine) = (d.Name, cosine);
        }
        return best;
    }

    static readonly string Colours = string.Join("|", FashionPalette.Colors.Select(c => c.Name));
    static readonly string Kinds = string.Join("|", FashionClasses.Words.OrderByDescending(w => w.Length).Select(Regex.Escape));
    static readonly Regex Mention = new($@"(?<![\w-])({Colours}) ({Kinds})(?![\w-])");

    /// <summary>
    /// A second reading of the language, from the scene alone: every caption names exactly the scene's items, and
    /// every answer is what the scene says, for questions that are not ambiguous.
    /// </summary>
    static void CheckLanguage(Sample sample)
    {
        var objects = sample.Scene!.Objects;
        var truth = objects.Select(o => $"{o.Color} {o.Kind}").Order().ToArray();
        Assert.True(sample.Captions.Count >= 3);
        foreach (var caption in sample.Captions)
        {
            Assert.Equal(truth, Mention.Matches(caption).Select(m => m.Value).Order());
            Assert.DoesNotMatch(@"\ba [aeiou]", caption);
        }
        Assert.All(objects, o => Assert.Contains($"at the {o.Place}", sample.Captions[0]));

        string Count(Func<SceneObject, bool> which) => FashionScenes.NumberWords[objects.Count(which)];
        string Plural(string kind) => FashionClasses.Plurals[FashionClasses.LabelOf(kind)];
        SceneObject Only(Func<SceneObject, bool> which)
        {
            var found = objects.Where(which).ToArray();
            Assert.True(found.Length == 1, $"{sample.Id}: ambiguous question ({found.Length} matches)");
            return found[0];
        }

        Assert.NotEmpty(sample.Questions);
        foreach (var qa in sample.Questions)
        {
            string q = qa.Question;
            Match m;
            string expected;
            if (q == "how many items are there?") expected = Count(_ => true);
            else if ((m = Regex.Match(q, $"^how many ({Colours}) items are there\\?$")).Success) expected = Count(o => o.Color == m.Groups[1].Value);
            else if ((m = Regex.Match(q, "^how many (.+) are there\\?$")).Success) expected = Count(o => Plural(o.Kind) == m.Groups[1].Value);
            else if ((m = Regex.Match(q, "^what colour is the (.+)\\?$")).Success) expected = Only(o => o.Kind == m.Groups[1].Value).Color;
            else if ((m = Regex.Match(q, "^what is at the (.+)\\?$")).Success)
                expected = objects.FirstOrDefault(o => o.Place == m.Groups[1].Value) is { } at ? $"{at.Color} {at.Kind}" : "nothing";
            else if ((m = Regex.Match(q, $"^what is ({Colours})\\?$")).Success) expected = Only(o => o.Color == m.Groups[1].Value).Kind;
            else if ((m = Regex.Match(q, $"^where is the ({Colours}) (.+)\\?$")).Success)
                expected = Only(o => o.Color == m.Groups[1].Value && o.Kind == m.Groups[2].Value).Place;
            else if ((m = Regex.Match(q, $"^is there an? ({Colours}) (.+)\\?$")).Success)
                expected = objects.Any(o => o.Color == m.Groups[1].Value && o.Kind == m.Groups[2].Value) ? "yes" : "no";
            else if ((m = Regex.Match(q, "^is there an? (.+)\\?$")).Success) expected = objects.Any(o => o.Kind == m.Groups[1].Value) ? "yes" : "no";
            else throw new Xunit.Sdk.XunitException($"{sample.Id}: unexpected question \"{q}\"");
            Assert.True(expected == qa.Answer, $"{sample.Id}: \"{q}\" answered \"{qa.Answer}\", the scene says \"{expected}\"");
            Assert.Contains(qa.Kind, new[] { "colour", "item", "count", "exists", "where" });
        }
        Assert.Contains(sample.Questions, q => q.Answer == "yes");
        Assert.Contains(sample.Questions, q => q.Answer == "no");
    }
}
