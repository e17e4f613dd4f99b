using System.Net;
using System.Text;
using Workbench.Data;
using Workbench.Evaluation;

namespace Workbench.Plots;

/// <summary>A question about an image, the model's answer and the true one.</summary>
/// <param name="Question">The question asked.</param>
/// <param name="Predicted">What the model answered.</param>
/// <param name="Truth">The true answer.</param>
public sealed record GalleryAnswer(string Question, string Predicted, string Truth)
{
    /// <summary>Whether the answer counts as right, by the evaluation's exact match (<see cref="AnsweredQuestion.Correct"/>).</summary>
    public bool Correct => new AnsweredQuestion("", Truth, Predicted).Correct;
}

/// <summary>One image of an <see cref="AnswerGallery"/> and the questions asked about it.</summary>
/// <param name="Sample">The held-out sample.</param>
/// <param name="Answers">The questions, each with the model's answer and the truth.</param>
public sealed record AnsweredImage(Sample Sample, IReadOnlyList<GalleryAnswer> Answers);

/// <summary>
/// Held-out images with a model's answers under each, green where right and red where wrong, the true answer beside a
/// wrong one. Display it as the last expression of a cell.
/// </summary>
/// <param name="Images">The images and their answered questions.</param>
/// <param name="Columns">Images per row.</param>
/// <param name="ImageWidth">Shown width of each image in pixels.</param>
public sealed record AnswerGallery(IReadOnlyList<AnsweredImage> Images, int Columns = 4, int ImageWidth = 128)
{
    /// <summary>Answers shown, and how many of them are right.</summary>
    public (int Right, int Shown) Score => (Images.Sum(i => i.Answers.Count(a => a.Correct)), Images.Sum(i => i.Answers.Count));

    /// <summary>The gallery as an HTML table.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder("<table class=\"workbench-answers\" style=\"border-collapse:collapse\"><tr>");
        for (int i = 0; i < Images.Count; i++)
        {
            if (i > 0 && i % Columns == 0) html.Append("</tr><tr>");
            var (sample, answers) = (Images[i].Sample, Images[i].Answers);
            using var image = sample.Image.ToImage();
            html.Append("<td style=\"vertical-align:top;padding:6px;max-width:").Append(ImageWidth + 90).Append("px;font-size:12px\">")
                .Append(ImageHtml.Tag(image, ImageWidth, sample.Captions.FirstOrDefault() ?? sample.Id))
                .Append("<div><b>").Append(WebUtility.HtmlEncode(sample.Id)).Append("</b></div>");
            foreach (var a in answers)
            {
                html.Append("<div style=\"margin-top:3px\">").Append(WebUtility.HtmlEncode(a.Question)).Append("<br/><span style=\"color:")
                    .Append(a.Correct ? "#1a7f1a" : "#c62828").Append("\">").Append(a.Correct ? "✓ " : "✗ ")
                    .Append(WebUtility.HtmlEncode(a.Predicted.Length == 0 ? "(nothing)" : a.Predicted)).Append("</span>");
                if (!a.Correct) html.Append(" <span style=\"color:#555\">(truth: ").Append(WebUtility.HtmlEncode(a.Truth)).Append(")</span>");
                html.Append("</div>");
            }
            html.Append("</td>");
        }
        var (right, shown) = Score;
        return html.Append("</tr></table><div style=\"font-size:12px\">").Append(right).Append(" of ").Append(shown).Append(" answers right</div>").ToString();
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(Environment.NewLine, Images.SelectMany(i => i.Answers.Select(a =>
        $"{i.Sample.Id}: {a.Question} -> {a.Predicted} ({(a.Correct ? "right" : $"wrong, truth: {a.Truth}")})")));
}
