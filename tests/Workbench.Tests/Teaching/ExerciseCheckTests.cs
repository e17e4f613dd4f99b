using Workbench.Evaluation;
using Workbench.Models.Clip;
using Workbench.Models.Flamingo;
using Workbench.Models.Llava;
using Workbench.Teaching;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Workbench.Tests.Teaching;

/// <summary>
/// Each exercise's check accepts the library's own implementation and a correct one written as an attendee would,
/// rejects plausible wrong ones naming the input they fail on, and reports a stub as not implemented.
/// </summary>
public sealed class ExerciseCheckTests
{
    // ---- correct functions, written independently of the library (as an attendee would) ----

    static Tensor InfoNceByRows(Tensor similarity, double scale)
    {
        var logits = scale * similarity;
        var targets = arange(similarity.shape[0], dtype: ScalarType.Int64);
        return (cross_entropy(logits, targets) + cross_entropy(logits.T, targets)) / 2;
    }

    static Tensor ZeroShotByMeanPrompt(Tensor images, Tensor prompts) =>
        images.matmul(normalize(prompts.mean([1]), dim: 1).T).argmax(1);

    static Tensor SpliceByRows(Tensor text, Tensor image, Tensor positions)
    {
        var rows = new List<Tensor>();
        for (int b = 0; b < text.shape[0]; b++)
        {
            long p = positions[b].item<long>(), length = text.shape[1];
            rows.Add(cat([text[b].narrow(0, 0, p), image[b].to_type(text.dtype), text[b].narrow(0, p + 1, length - p - 1)], 0));
        }
        return stack(rows);
    }

    static Tensor SpliceTargetsByRows(Tensor targets, Tensor positions, long imageTokens, bool lastSlotTakesTheTarget = true, int slotOffset = 0)
    {
        var rows = new List<Tensor>();
        for (int b = 0; b < targets.shape[0]; b++)
        {
            long p = positions[b].item<long>(), length = targets.shape[1];
            var slots = full(imageTokens, -100L, dtype: ScalarType.Int64);
            if (lastSlotTakesTheTarget) slots[imageTokens - 1 - slotOffset] = targets[b, p];
            rows.Add(cat([targets[b].narrow(0, 0, p), slots, targets[b].narrow(0, p + 1, length - p - 1)], 0));
        }
        return stack(rows);
    }

    /// <summary>The media mask by a loop over tokens, as an attendee would write it; the switches make the plausible wrong ones.</summary>
    static Tensor MediaMaskByLoop(Tensor ids, long imageId, long images, bool allEarlierImages = false, bool imageTokenBelongsToThePrevious = false,
        bool noImageMeansTheFirst = false)
    {
        var mask = zeros(ids.shape[0], ids.shape[1], images, dtype: ScalarType.Bool);
        for (long b = 0; b < ids.shape[0]; b++)
        {
            long recent = -1;
            for (long t = 0; t < ids.shape[1]; t++)
            {
                bool isImage = ids[b, t].item<long>() == imageId;
                if (isImage && !imageTokenBelongsToThePrevious) recent++;
                long seen = recent < 0 && noImageMeansTheFirst ? 0 : recent;
                for (long m = 0; m < images; m++) mask[b, t, m] = allEarlierImages ? m <= seen : m == seen;
                if (isImage && imageTokenBelongsToThePrevious) recent++;
            }
        }
        return mask;
    }

    static ExerciseReport Check(string id, Delegate f) => Exercise.Check(id, f);

    static void AssertFailsOn(ExerciseReport report, string input)
    {
        Assert.True(report.Outcome == ExerciseOutcome.Failed, report.ToString());
        Assert.NotNull(report.Failure);
        Assert.True(report.Failure!.Input.Contains(input), report.ToString());
        Assert.NotEqual(report.Failure.Expected, report.Failure.Actual);
        Assert.False(string.IsNullOrWhiteSpace(report.Failure.Hint));
        // The panel shows the failing input, both values and the hint.
        string html = report.ToHtml();
        Assert.Contains("failed", report.Summary);
        foreach (var part in new[] { report.Failure.Expected, report.Failure.Actual })
            Assert.Contains(System.Net.WebUtility.HtmlEncode(part), html);
    }

    // ---- the library's own implementation passes every check ----

    public static TheoryData<string> Ids() => new(Exercise.All.Select(e => e.Id));

    static Delegate Library(string id) => id switch
    {
        // InfoNCE of embeddings S and I is InfoNCE of the similarity matrix S·Iᵀ = S.
        "clip-infonce" => (Func<Tensor, double, Tensor>)((s, scale) => ContrastiveLoss.InfoNce(s, eye(s.shape[0]), tensor((float)scale))),
        "clip-zero-shot" => (Func<Tensor, Tensor, Tensor>)((images, prompts) =>
        {
            var classes = Enumerable.Range(0, (int)prompts.shape[0]).Select(c => $"c{c}").ToList();
            var templates = Enumerable.Range(0, (int)prompts.shape[1]).Select(p => $"{p} {{}}").ToList();
            var classifier = new ZeroShotClassifier(classes, templates,
                texts => stack(texts.Select(t => prompts[classes.IndexOf(t.Split(' ')[1]), int.Parse(t.Split(' ')[0])]).ToArray()));
            return classifier.Logits(images).argmax(1);
        }),
        "llava-splice" => (Func<Tensor, Tensor, Tensor, Tensor>)ImageSplice.Splice,
        "llava-loss-mask" => (Func<Tensor, Tensor, long, Tensor>)((t, p, n) => ImageSplice.SpliceTargets(t, p, n, -100)),
        "flamingo-media-mask" => (Func<Tensor, long, long, Tensor>)((ids, image, m) =>
        {
            // The model's own mask with one latent per image is one column per image.
            var (mask, _) = FlamingoModel.MediaMask(FlamingoModel.MostRecentImage(ids, image), m, latents: 1);
            return mask.squeeze(1);
        }),
        "flamingo-tanh-gate" => (Func<Tensor, Tensor, Tensor, Tensor>)((x, y, alpha) => x + alpha.tanh() * y),
        _ => throw new ArgumentException($"no library function for {id}: add one when adding an exercise"),
    };

    [Theory]
    [MemberData(nameof(Ids))]
    public void TheLibrarysOwnImplementationPassesEveryInput(string id)
    {
        var report = Check(id, Library(id));
        Assert.True(report.Outcome == ExerciseOutcome.Passed, report.ToString());
        Assert.Equal(report.Inputs, report.InputsPassed);
        Assert.True(report.Inputs >= 5, $"{id} has only {report.Inputs} inputs");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void AStubIsReportedAsNotImplemented(string id)
    {
        var stub = Exercise.Find(id) switch
        {
            ExerciseDefinition<Func<Tensor, double, Tensor>> => (Delegate)(Func<Tensor, double, Tensor>)((_, _) => throw new NotImplementedException()),
            ExerciseDefinition<Func<Tensor, Tensor, Tensor>> => (Func<Tensor, Tensor, Tensor>)((_, _) => throw new NotImplementedException()),
            ExerciseDefinition<Func<Tensor, Tensor, Tensor, Tensor>> => (Func<Tensor, Tensor, Tensor, Tensor>)((_, _, _) => throw new NotImplementedException()),
            ExerciseDefinition<Func<Tensor, Tensor, long, Tensor>> => (Func<Tensor, Tensor, long, Tensor>)((_, _, _) => throw new NotImplementedException()),
            ExerciseDefinition<Func<Tensor, long, long, Tensor>> => (Func<Tensor, long, long, Tensor>)((_, _, _) => throw new NotImplementedException()),
            var other => throw new ArgumentException($"no stub for {other.GetType()}"),
        };
        var report = Check(id, stub);
        Assert.Equal(ExerciseOutcome.NotImplemented, report.Outcome);
        Assert.Null(report.Failure);
        Assert.Contains("not implemented", report.Summary);
        Assert.Equal([(id, "not-implemented")], ExerciseReport.FindIn("<p>before</p>" + report.ToHtml()));
    }

    [Fact]
    public void CorrectFunctionsWrittenAsAnAttendeeWouldPass()
    {
        Assert.Equal(ExerciseOutcome.Passed, Check("clip-infonce", InfoNceByRows).Outcome);
        Assert.Equal(ExerciseOutcome.Passed, Check("clip-zero-shot", ZeroShotByMeanPrompt).Outcome);
        Assert.Equal(ExerciseOutcome.Passed, Check("llava-splice", SpliceByRows).Outcome);
        Assert.Equal(ExerciseOutcome.Passed, Check("llava-loss-mask", (Func<Tensor, Tensor, long, Tensor>)((t, p, n) => SpliceTargetsByRows(t, p, n))).Outcome);
        Assert.Equal(ExerciseOutcome.Passed, Check("flamingo-media-mask", (Func<Tensor, long, long, Tensor>)((i, image, m) => MediaMaskByLoop(i, image, m))).Outcome);
        Assert.Equal(ExerciseOutcome.Passed, Check("flamingo-tanh-gate", (Func<Tensor, Tensor, Tensor, Tensor>)((x, y, a) =>
            x + (float)Math.Tanh(a.item<float>()) * y)).Outcome);
        var report = ExerciseReport.FindIn(Check("clip-infonce", InfoNceByRows).ToHtml());
        Assert.Equal([("clip-infonce", "passed")], report);
    }

    [Fact]
    public void InfoNceRejectsOneDirectionNoTemperatureSwappedAxesAndAnOverflowingSoftmax()
    {
        var targetsOf = (Tensor s) => arange(s.shape[0], dtype: ScalarType.Int64);
        // Image-to-caption only.
        AssertFailsOn(Check("clip-infonce", (Func<Tensor, double, Tensor>)((s, scale) => cross_entropy(scale * s, targetsOf(s)))), "three pairs");
        // The scale forgotten.
        AssertFailsOn(Check("clip-infonce", (Func<Tensor, double, Tensor>)((s, _) => (cross_entropy(s, targetsOf(s)) + cross_entropy(s.T, targetsOf(s))) / 2)), "three pairs");
        // Rows and columns swapped: the softmax of both terms over the images (dim 0).
        AssertFailsOn(Check("clip-infonce", (Func<Tensor, double, Tensor>)((s, scale) =>
            -(log_softmax(scale * s, 0).diagonal().mean() + log_softmax(scale * s, 0).diagonal().mean()) / 2)), "three pairs");
        // Right formula through exp, then log: exp(100) overflows float32.
        AssertFailsOn(Check("clip-infonce", (Func<Tensor, double, Tensor>)((s, scale) =>
        {
            var e = (scale * s).exp();
            var rows = -(e.diagonal() / e.sum(dim: 1)).log().mean();
            var columns = -(e.diagonal() / e.sum(dim: 0)).log().mean();
            return (rows + columns) / 2;
        })), "CLIP's largest scale");
        // Summed over the batch instead of averaged.
        AssertFailsOn(Check("clip-infonce", (Func<Tensor, double, Tensor>)((s, scale) =>
            (cross_entropy(scale * s, targetsOf(s), reduction: nn.Reduction.Sum) + cross_entropy(scale * s.T, targetsOf(s), reduction: nn.Reduction.Sum)) / 2)), "three pairs");
    }

    [Fact]
    public void ZeroShotRejectsAnUnnormalisedMeanTheFirstPromptOnlyTheBestPromptAndASqueezedSingleImage()
    {
        AssertFailsOn(Check("clip-zero-shot", (Func<Tensor, Tensor, Tensor>)((i, p) => i.matmul(p.mean([1]).T).argmax(1))), "4 classes");
        AssertFailsOn(Check("clip-zero-shot", (Func<Tensor, Tensor, Tensor>)((i, p) => i.matmul(p[.., 0].T).argmax(1))), "4 classes");
        AssertFailsOn(Check("clip-zero-shot", (Func<Tensor, Tensor, Tensor>)((i, p) => i.matmul(p.reshape(-1, p.shape[2]).T).reshape(i.shape[0], p.shape[0], p.shape[1]).amax([2]).argmax(1))), "4 classes");
        AssertFailsOn(Check("clip-zero-shot", (Func<Tensor, Tensor, Tensor>)((i, p) => ZeroShotByMeanPrompt(i, p).squeeze())), "one image");
    }

    [Fact]
    public void SpliceRejectsKeepingTheImageTokenAnOffByOneAndTheFirstRowsPositionForEveryRow()
    {
        // <image> kept in front of the image tokens.
        AssertFailsOn(Check("llava-splice", (Func<Tensor, Tensor, Tensor, Tensor>)((t, i, p) =>
            stack(Enumerable.Range(0, (int)t.shape[0]).Select(b => { long q = p[b].item<long>(); return cat([t[b].narrow(0, 0, q + 1), i[b], t[b].narrow(0, q + 1, t.shape[1] - q - 1)], 0); }).ToArray()))),
            "two prompts");
        // The image tokens put after <image>'s successor instead of in its place.
        AssertFailsOn(Check("llava-splice", (Func<Tensor, Tensor, Tensor, Tensor>)((t, i, p) =>
            stack(Enumerable.Range(0, (int)t.shape[0]).Select(b => { long q = p[b].item<long>(); return cat([t[b].narrow(0, 0, q), t[b].narrow(0, q + 1, 1), i[b], t[b].narrow(0, q + 2, Math.Max(0, t.shape[1] - q - 2))], 0); }).ToArray()))),
            "two prompts");
        // Every row spliced at the first row's position.
        var report = Check("llava-splice", (Func<Tensor, Tensor, Tensor, Tensor>)((t, i, p) => SpliceByRows(t, i, p[0].expand(p.shape[0]))));
        AssertFailsOn(report, "two prompts");
        Assert.Contains("row 1: t0 v0 v1 v2 t2", report.Failure!.Actual);  // the report names where each vector came from
        Assert.Contains("row 1: t0 t1 t2 v0 v1 v2 t4 t5", report.Failure.Expected);
    }

    [Fact]
    public void LossMaskRejectsNoTargetAfterTheImageTheTargetOnTheFirstSlotAndTheTextsOwnMask()
    {
        AssertFailsOn(Check("llava-loss-mask", (Func<Tensor, Tensor, long, Tensor>)((t, p, n) => SpliceTargetsByRows(t, p, n, lastSlotTakesTheTarget: false))), "one row");
        AssertFailsOn(Check("llava-loss-mask", (Func<Tensor, Tensor, long, Tensor>)((t, p, n) => SpliceTargetsByRows(t, p, n, slotOffset: (int)n - 1))), "one row");
        // The image slots given the target of <image> each.
        AssertFailsOn(Check("llava-loss-mask", (Func<Tensor, Tensor, long, Tensor>)((t, p, n) =>
            stack(Enumerable.Range(0, (int)t.shape[0]).Select(b => { long q = p[b].item<long>(); return cat([t[b].narrow(0, 0, q), t[b, q].expand(n), t[b].narrow(0, q + 1, t.shape[1] - q - 1)], 0); }).ToArray()))),
            "one row");
    }

    [Fact]
    public void MediaMaskRejectsAllEarlierImagesAnOffByOneAtTheImageTokenAndAnImageForTextBeforeAny()
    {
        var allEarlier = Check("flamingo-media-mask", (Func<Tensor, long, long, Tensor>)((i, image, m) => MediaMaskByLoop(i, image, m, allEarlierImages: true)));
        AssertFailsOn(allEarlier, "the notebook's document");
        Assert.Contains("0+1", allEarlier.Failure!.Actual);   // the report names the images each token sees
        AssertFailsOn(Check("flamingo-media-mask", (Func<Tensor, long, long, Tensor>)((i, image, m) => MediaMaskByLoop(i, image, m, imageTokenBelongsToThePrevious: true))),
            "the notebook's document");
        AssertFailsOn(Check("flamingo-media-mask", (Func<Tensor, long, long, Tensor>)((i, image, m) => MediaMaskByLoop(i, image, m, noImageMeansTheFirst: true))),
            "the notebook's document");   // its <bos> comes before any image
        // Integer indices instead of a bool mask: the right numbers in the wrong form still fail, naming the type.
        var asIndices = Check("flamingo-media-mask", (Func<Tensor, long, long, Tensor>)((i, image, m) => MediaMaskByLoop(i, image, m).to_type(ScalarType.Int64)));
        AssertFailsOn(asIndices, "the notebook's document");
        Assert.Contains("Int64", asIndices.Failure!.Actual);
    }

    [Fact]
    public void TanhGateRejectsNoTanhNoResidualASigmoidGateAndAClampedGate()
    {
        AssertFailsOn(Check("flamingo-tanh-gate", (Func<Tensor, Tensor, Tensor, Tensor>)((x, y, a) => x + a * y)), "half open");
        AssertFailsOn(Check("flamingo-tanh-gate", (Func<Tensor, Tensor, Tensor, Tensor>)((x, y, a) => a.tanh() * y)), "gate closed");
        AssertFailsOn(Check("flamingo-tanh-gate", (Func<Tensor, Tensor, Tensor, Tensor>)((x, y, a) => x + a.sigmoid() * y)), "gate closed");
        AssertFailsOn(Check("flamingo-tanh-gate", (Func<Tensor, Tensor, Tensor, Tensor>)((x, y, a) => x + a.tanh().clamp_min(0) * y)), "negative gate");
    }

    [Fact]
    public void AnErrorInTheAttendeesCodeIsAFailureNamingTheInputNotAnException()
    {
        var report = Check("llava-splice", (Func<Tensor, Tensor, Tensor, Tensor>)((t, i, p) => cat([t, i], 2)));
        Assert.Equal(ExerciseOutcome.Failed, report.Outcome);
        Assert.Contains("threw", report.Failure!.Actual);
        Assert.Contains("two prompts", report.Failure.Input);
    }

    [Fact]
    public void AFunctionOfTheWrongSignatureFailsNamingTheSignature()
    {
        var report = Check("clip-infonce", (Func<Tensor, Tensor>)(s => s.sum()));
        Assert.Equal(ExerciseOutcome.Failed, report.Outcome);
        Assert.Contains("double scale", report.Failure!.Expected);
    }

    [Fact]
    public void AnUnknownExerciseNamesTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Exercise.Check("clip-nonsense", InfoNceByRows));
        Assert.Contains("clip-infonce", e.Message);
        Assert.Equal(Exercise.All.Count, Exercise.All.Select(x => x.Id).Distinct().Count());
    }
}
