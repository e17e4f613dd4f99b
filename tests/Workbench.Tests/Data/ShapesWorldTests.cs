using System.Text.RegularExpressions;
using Workbench.Data;
using Workbench.Data.Shapes;

namespace Workbench.Tests.Data;

public sealed class ShapesWorldTests
{
    // The test's own tables, written from the specification rather than read from the library.
    private static readonly string[] PlaceWords =
        ["top left", "top", "top right", "left", "center", "right", "bottom left", "bottom", "bottom right"];
    private static readonly string[] Numbers = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    private static readonly Dictionary<string, string> Plurals = new()
    {
        ["circles"] = "circle", ["squares"] = "square", ["triangles"] = "triangle", ["diamonds"] = "diamond", ["crosses"] = "cross",
    };

    /// <summary>A pixel this close (per channel) to a palette colour is taken to show that colour.</summary>
    private const int ColourTolerance = 40;

    private static ShapesWorld World(Split split = Split.Train, int size = 32, int seed = 0, int count = 2_000) =>
        new(new ShapesWorldConfig { Split = split, ImageSize = size, Seed = seed, TrainCount = count, ValidationCount = count, TestCount = count });

    private static (int R, int G, int B) Rgb(string colourName)
    {
        var c = Palette.Colors.Single(x => x.Name == colourName);
        return (c.R, c.G, c.B);
    }

    private static bool Near(RgbImage image, int x, int y, (int R, int G, int B) c, int tolerance)
    {
        var p = image[x, y];
        return Math.Abs(p.R - c.R) <= tolerance && Math.Abs(p.G - c.G) <= tolerance && Math.Abs(p.B - c.B) <= tolerance;
    }

    /// <summary>The grid cell holding a pixel's centre.</summary>
    private static int CellOf(int x, int y, int size) => (int)((y + 0.5) * 3 / size) * 3 + (int)((x + 0.5) * 3 / size);

    [Fact]
    public void SameSeedSplitAndIndexGiveTheSameSample()
    {
        var a = World(Split.Validation, seed: 5);
        var b = World(Split.Validation, seed: 5);
        foreach (int i in new[] { 0, 1, 17, 999 })
        {
            var x = a.Get(i);
            var y = b.Get(i);
            Assert.Equal(x.Image.Pixels, y.Image.Pixels);
            Assert.Equal(x.Captions, y.Captions);
            Assert.Equal(x.Questions, y.Questions);
            Assert.Equal(x.Scene!.Objects, y.Scene!.Objects);
            Assert.Equal(x.Id, y.Id);
        }
    }

    [Fact]
    public void DifferentIndexOrSeedGivesADifferentImage()
    {
        var world = World();
        var first = world.Get(0).Image.Pixels;
        for (int i = 1; i < 50; i++) Assert.NotEqual(first, world.Get(i).Image.Pixels);
        Assert.NotEqual(first, World(seed: 1).Get(0).Image.Pixels);
    }

    [Fact]
    public void SamplesAreStableAcrossRunsAndMachines()
    {
        // Pins the data set's definition: any change to drawing, language or seeding changes these, and should be
        // a deliberate new version of ShapesWorld (a per-process random hash would also fail here on a later run).
        var world = World();
        var sample = world.Get(0);
        ulong fnv = 14695981039346656037UL;
        foreach (byte b in sample.Image.Pixels) fnv = (fnv ^ b) * 1099511628211UL;
        Assert.Equal(("a small orange cross at the bottom", "7955198aa45be563"), (sample.Captions[0], fnv.ToString("x16")));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    public void EachObjectsColourLiesInItsCellAndEmptyCellsAreBackground(int size)
    {
        var world = World(size: size);
        var background = (Palette.Background.R, Palette.Background.G, Palette.Background.B);
        // At 32x32 a small shape's box is about 6 px across and a large one's about 8.5: a sixth of the small box and a
        // quarter of the large one must show the colour outright (at least 8 and 24 pixels do, over thousands of samples).
        int area = size * size / (32 * 32);
        var minimumPixels = new Dictionary<string, int> { ["small"] = 6 * area, ["large"] = 18 * area };
        for (int i = 0; i < 150; i++)
        {
            var sample = world.Get(i);
            var image = sample.Image;
            Assert.Equal((size, size), (image.Width, image.Height));
            var objects = sample.Scene!.Objects;
            var colourCells = objects.Select(o => (o.Color, Cell: o.Row * 3 + o.Column)).ToHashSet();
            var occupied = objects.Select(o => o.Row * 3 + o.Column).ToHashSet();
            var pixelsOfOwnColour = new int[9];
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    int cell = CellOf(x, y, size);
                    if (!occupied.Contains(cell))
                    {
                        if (!Near(image, x, y, background, Palette.BackgroundNoise))
                            Assert.Fail($"{sample.Id}: pixel ({x},{y}) in empty cell {cell} is not background");
                        continue;
                    }
                    foreach (var colour in Palette.Colors)
                        if (Near(image, x, y, (colour.R, colour.G, colour.B), ColourTolerance))
                        {
                            if (!colourCells.Contains((colour.Name, cell)))
                                Assert.Fail($"{sample.Id}: {colour.Name} pixel ({x},{y}) in cell {cell}, which holds no {colour.Name} object");
                            pixelsOfOwnColour[cell]++;
                        }
                }
            foreach (var o in objects)
                Assert.True(pixelsOfOwnColour[o.Row * 3 + o.Column] >= minimumPixels[o.Size],
                            $"{sample.Id}: {o.Size} {o.Color} {o.Kind} at {o.Place} shows only {pixelsOfOwnColour[o.Row * 3 + o.Column]} pixels of its colour");
        }
    }

    [Fact]
    public void ScenesHoldOneToThreeObjectsInDistinctCellsNamedByTheirPlace()
    {
        var world = World();
        var counts = new HashSet<int>();
        for (int i = 0; i < 300; i++)
        {
            var sample = world.Get(i);
            var scene = sample.Scene!;
            Assert.Equal((3, 3), (scene.GridRows, scene.GridColumns));
            Assert.InRange(scene.Objects.Count, 1, 3);
            counts.Add(scene.Objects.Count);
            Assert.Equal(scene.Objects.Count, scene.Objects.Select(o => (o.Row, o.Column)).Distinct().Count());
            foreach (var o in scene.Objects)
            {
                Assert.Equal(PlaceWords[o.Row * 3 + o.Column], o.Place);
                Assert.Contains(o.Size, new[] { "small", "large" });
            }
            Assert.Equal(-1, sample.Label);
        }
        Assert.Equal(new HashSet<int> { 1, 2, 3 }, counts);
        Assert.Null(world.ClassNames);
    }

    [Fact]
    public void CaptionsCountExactlyTheObjectsDrawn()
    {
        var world = World();
        var background = (Palette.Background.R, Palette.Background.G, Palette.Background.B);
        for (int i = 0; i < 200; i++)
        {
            var sample = world.Get(i);
            var objects = sample.Scene!.Objects;
            // Objects counted from the pixels alone: cells with any pixel clearly off the background.
            var drawnCells = new HashSet<int>();
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                    if (!Near(sample.Image, x, y, background, 20)) drawnCells.Add(CellOf(x, y, 32));
            Assert.Equal(objects.Count, drawnCells.Count);

            var counting = sample.Captions.Single(c => Regex.IsMatch(c, @"^\w+ shapes?: "));
            Assert.Equal(Numbers[drawnCells.Count], counting.Split(' ')[0]);
            Assert.True(sample.Captions.Distinct().Count() >= 3, $"{sample.Id}: fewer than 3 distinct captions");

            string canonical = sample.Captions[0];
            foreach (var group in objects.GroupBy(o => $"{o.Color} {o.Kind}"))
                Assert.Equal(group.Count(), Regex.Matches(canonical, $@"\b{group.Key}\b").Count);
            foreach (var o in objects)
                Assert.Contains($"{o.Size} {o.Color} {o.Kind}", canonical);
            int describedObjects = Regex.Matches(canonical, @"\b(small|large) ").Count;
            Assert.Equal(objects.Count, describedObjects);
        }
    }

    [Fact]
    public void QuestionAnswersAgreeWithTheScene()
    {
        var world = World(Split.Test);
        var kindsSeen = new HashSet<string>();
        for (int i = 0; i < 300; i++)
        {
            var sample = world.Get(i);
            var objects = sample.Scene!.Objects;
            foreach (var qa in sample.Questions)
            {
                kindsSeen.Add(qa.Kind);
                string context = $"{sample.Id}: \"{qa.Question}\" -> \"{qa.Answer}\"";
                Match m;
                switch (qa.Kind)
                {
                    case "colour":
                        m = Regex.Match(qa.Question, @"^what colour is the (?:(small|large) )?(\w+)\?$");
                        Assert.True(m.Success, context);
                        Assert.Equal(OnlyMatch(objects, context, kind: m.Groups[2].Value, size: m.Groups[1].Value).Color, qa.Answer);
                        break;
                    case "shape":
                        m = Regex.Match(qa.Question, @"^what shape is the (?:(small|large) )?(\w+) object\?$");
                        Assert.True(m.Success, context);
                        Assert.Equal(OnlyMatch(objects, context, color: m.Groups[2].Value, size: m.Groups[1].Value).Kind, qa.Answer);
                        break;
                    case "count":
                        m = Regex.Match(qa.Question, @"^how many (\w+) are there\?$");
                        Assert.True(m.Success, context);
                        int expected = m.Groups[1].Value == "shapes" ? objects.Count : objects.Count(o => o.Kind == Plurals[m.Groups[1].Value]);
                        Assert.Equal(Numbers[expected], qa.Answer);
                        break;
                    case "exists":
                        m = Regex.Match(qa.Question, @"^is there an? (\w+) (\w+)\?$");
                        Assert.True(m.Success, context);
                        bool present = objects.Any(o => o.Color == m.Groups[1].Value && o.Kind == m.Groups[2].Value);
                        Assert.Equal(present ? "yes" : "no", qa.Answer);
                        break;
                    case "where":
                        m = Regex.Match(qa.Question, @"^where is the (?:(small|large) )?(\w+) (\w+)\?$");
                        Assert.True(m.Success, context);
                        var o = OnlyMatch(objects, context, color: m.Groups[2].Value, kind: m.Groups[3].Value, size: m.Groups[1].Value);
                        Assert.Equal(PlaceWords[o.Row * 3 + o.Column], qa.Answer);
                        break;
                    default:
                        Assert.Fail($"{context}: unknown kind {qa.Kind}");
                        break;
                }
            }
            var exists = sample.Questions.Where(q => q.Kind == "exists").Select(q => q.Answer).ToList();
            Assert.Contains("yes", exists);
            Assert.Contains("no", exists);
            Assert.Contains(sample.Questions, q => q.Question == "how many shapes are there?");
        }
        Assert.Equal(new HashSet<string> { "colour", "shape", "count", "exists", "where" }, kindsSeen);
    }

    /// <summary>The single object fitting a description; fails when none or several fit (an ambiguous question).</summary>
    private static SceneObject OnlyMatch(IReadOnlyList<SceneObject> objects, string context, string? kind = null, string? color = null, string? size = null)
    {
        var fits = objects.Where(o => (kind is null || o.Kind == kind) && (color is null || o.Color == color) && (string.IsNullOrEmpty(size) || o.Size == size)).ToList();
        Assert.True(fits.Count == 1, $"{context}: {fits.Count} objects fit the question");
        return fits[0];
    }

    [Fact]
    public void SplitsShareNoSceneWhateverTheSeeds()
    {
        static HashSet<string> Keys(ShapesWorld world, int n) => Enumerable.Range(0, n)
            .Select(i => string.Join(" | ", world.Get(i).Scene!.Objects.Select(o => $"{o.Kind} {o.Color} {o.Size} {o.Place}").Order()))
            .ToHashSet();
        var train = Keys(World(Split.Train), 2_000);
        var validation = Keys(World(Split.Validation), 500);
        var test = Keys(World(Split.Test, seed: 7), 500);
        Assert.Empty(train.Intersect(validation));
        Assert.Empty(train.Intersect(test));
        Assert.Empty(validation.Intersect(test));
        // The splits are not trivially disjoint: each holds many scenes, one-object scenes included.
        Assert.True(validation.Count > 400 && test.Count > 400);
        Assert.Contains(validation, k => !k.Contains('|'));
    }

    [Fact]
    public void DefaultsFollowTheSpecificationAndBadConfigsAreRefused()
    {
        var config = new ShapesWorldConfig();
        Assert.Equal((32, 1, 3, 0, Split.Train), (config.ImageSize, config.MinObjects, config.MaxObjects, config.Seed, config.Split));
        Assert.Equal(10_000, new ShapesWorld().Count);
        Assert.Equal(1_000, new ShapesWorld(config with { Split = Split.Test }).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShapesWorld(config with { TrainCount = 3 }).Get(3));
        Assert.Throws<ArgumentException>(() => new ShapesWorld(config with { ImageSize = 16 }));
        Assert.Throws<ArgumentException>(() => new ShapesWorld(config with { MinObjects = 3, MaxObjects = 2 }));
        Assert.Throws<ArgumentException>(() => new ShapesWorld(config with { MaxObjects = 10 }));
        Assert.All(Enumerable.Range(0, 20).Select(i => new ShapesWorld(config with { MinObjects = 5, MaxObjects = 5 }).Get(i)),
                   s => Assert.Equal(5, s.Scene!.Objects.Count));
    }
}
