using Workbench.Data;
using Workbench.Data.Interleaved;
using Workbench.Data.Shapes;

namespace Workbench.Tests.Data;

/// <summary>In-context learning with the question left out: which scenes and kinds take part, and what an episode shows.</summary>
public sealed class ImplicitQuestionsTests
{
    static readonly ShapesWorld Train = new(new ShapesWorldConfig { Split = Split.Train });
    static readonly ShapesWorld Test = new(new ShapesWorldConfig { Split = Split.Test });

    /// <summary>The attribute a kind asks of a scene's one object, read from the scene itself, not from its questions.</summary>
    static string Attribute(SceneObject o, string kind) => kind switch
    {
        ShapesLanguage.ColourQuestion => o.Color,
        ShapesLanguage.ShapeQuestion => o.Kind,
        ShapesLanguage.WhereQuestion => o.Place,
        _ => throw new ArgumentException(kind),
    };

    [Fact]
    public void OneObjectScenesAnswerColourShapeAndPlaceImplicitlyAndNothingElseDoes()
    {
        var pools = ImplicitQuestions.Pools(Train, limit: 300);

        // A one-object scene asks one question of its colour, its shape and its place, but two counts (all shapes, its
        // kind) and two "is there" (yes and no): only the first three are one question each.
        Assert.Equal([ShapesLanguage.ColourQuestion, ShapesLanguage.ShapeQuestion, ShapesLanguage.WhereQuestion], pools.Keys.Order(StringComparer.Ordinal));
        var oneObject = Enumerable.Range(0, 300).Where(i => Train.Get(i).Scene!.Objects.Count == 1).ToArray();
        Assert.InRange(oneObject.Length, 50, 200);
        foreach (var (kind, pool) in pools)
        {
            Assert.Equal(oneObject, pool);
            Assert.All(pool, i => Assert.Equal(Attribute(Train.Get(i).Scene!.Objects[0], kind), ImplicitQuestions.Of(Train.Get(i), kind)!.Answer));
        }
        var several = Enumerable.Range(0, 300).Select(Train.Get).First(s => s.Scene!.Objects.Count > 1);
        Assert.All(pools.Keys, kind => Assert.Null(ImplicitQuestions.Of(several, kind)));
        Assert.Null(ImplicitQuestions.Of(Train.Get(oneObject[0]), ShapesLanguage.CountQuestion));
    }

    static string Describe(FewShotExample e) => $"{e.Sample.Id}:{e.Question}:{e.Answer}:{e.QuestionHidden}";

    [Fact]
    public void AnEpisodeShowsOnlyAnswersOfOneKindAndItsShotsAreTheFirstOfTheFourShotOnes()
    {
        var trainPools = ImplicitQuestions.Pools(Train, limit: 300);
        var testPools = ImplicitQuestions.Pools(Test, limit: 200);
        var kindsSeen = new HashSet<string>();
        for (int seed = 0; seed < 12; seed++)
        {
            var four = FewShotEpisode.DrawImplicit(Train, trainPools, Test, testPools, 4, seed);
            Assert.Equal(FewShotTask.ImplicitQuestion, four.Task);
            var examples = four.Support.Append(four.Query).ToList();
            Assert.All(examples, e => Assert.True(e.QuestionHidden));
            // One kind explains every answer, support and query alike.
            var kinds = trainPools.Keys.Where(k => examples.All(e => Attribute(e.Sample.Scene!.Objects.Single(), k) == e.Answer)).ToList();
            Assert.NotEmpty(kinds);
            kindsSeen.UnionWith(kinds);
            Assert.Equal(5, examples.Select(e => e.Sample.Id).Distinct().Count());

            string prompt = four.ToPrompt().ToText();
            Assert.DoesNotContain("question", prompt);
            Assert.EndsWith("<eoc> answer :", prompt.TrimEnd());
            foreach (var support in four.Support) Assert.Contains($"answer : {support.Answer} <eos>", prompt);

            for (int shots = 0; shots < 4; shots++)
            {
                var fewer = FewShotEpisode.DrawImplicit(Train, trainPools, Test, testPools, shots, seed);
                Assert.Equal(Describe(four.Query), Describe(fewer.Query));
                Assert.Equal(four.Support.Take(shots).Select(Describe), fewer.Support.Select(Describe));
            }
        }
        Assert.Equal(3, kindsSeen.Count);
        Assert.Throws<ArgumentException>(() => FewShotEpisode.Draw(Train, Test, 1, 0, FewShotTask.ImplicitQuestion));
    }
}
