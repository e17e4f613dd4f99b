using Workbench.Data;
using Workbench.Plots;

namespace Workbench.Tests.Plots;

public sealed class AnswerGalleryTests
{
    [Fact]
    public void MarksAnswersByTheEvaluationsExactMatchAndShowsTheTruthOfWrongOnes()
    {
        var sample = new Sample("shapes/test/0", new RgbImage(4, 4), ["a red circle"], []);
        var gallery = new AnswerGallery([new AnsweredImage(sample,
        [
            new GalleryAnswer("what colour is the circle ?", "Red.", "red ."),   // right after normalisation
            new GalleryAnswer("how many shapes are there ?", "two", "one"),
            new GalleryAnswer("is there a <square> ?", "", "no"),
        ])]);

        Assert.Equal((1, 3), gallery.Score);
        string html = gallery.ToHtml();
        Assert.Contains("(truth: one)", html);
        Assert.Contains("(nothing)", html);
        Assert.Contains("&lt;square&gt;", html);
        Assert.DoesNotContain("(truth: red .)", html);
        Assert.Contains("1 of 3 answers right", html);
    }
}
