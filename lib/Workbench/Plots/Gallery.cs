using System.Net;
using System.Text;
using SixLabors.ImageSharp;
using Workbench.Data;

namespace Workbench.Plots;

/// <summary>
/// Samples shown in a notebook as an HTML table: each image enlarged, with its captions and questions under it.
/// Display it as the last expression of a cell.
/// </summary>
public sealed class Gallery(IReadOnlyList<Sample> samples, int columns = 4, int imageWidth = 128, bool showQuestions = true)
{
    /// <summary>The samples shown.</summary>
    public IReadOnlyList<Sample> Samples { get; } = samples;

    /// <summary>A gallery of the first <paramref name="count"/> samples of a data set.</summary>
    public static Gallery Of(IImageTextDataset data, int count = 8, int columns = 4, bool showQuestions = true) =>
        new(Enumerable.Range(0, Math.Min(count, data.Count)).Select(data.Get).ToList(), columns, showQuestions: showQuestions);

    /// <summary>The gallery as HTML.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder("<table class=\"workbench-gallery\" style=\"border-collapse:collapse\"><tr>");
        for (int i = 0; i < Samples.Count; i++)
        {
            if (i > 0 && i % columns == 0) html.Append("</tr><tr>");
            var s = Samples[i];
            using var image = s.Image.ToImage();
            html.Append("<td style=\"vertical-align:top;padding:6px;max-width:").Append(imageWidth + 60).Append("px;font-size:12px\">")
                .Append(ImageHtml.Tag(image, imageWidth, s.Id)).Append("<div><b>").Append(WebUtility.HtmlEncode(s.Id)).Append("</b></div><ul style=\"padding-left:1em;margin:2px\">");
            foreach (var caption in s.Captions) html.Append("<li>").Append(WebUtility.HtmlEncode(caption)).Append("</li>");
            html.Append("</ul>");
            if (showQuestions)
                foreach (var qa in s.Questions.Take(4))
                    html.Append("<div style=\"color:#555\">Q: ").Append(WebUtility.HtmlEncode(qa.Question)).Append(" <i>A: ")
                        .Append(WebUtility.HtmlEncode(qa.Answer)).Append("</i></div>");
            html.Append("</td>");
        }
        return html.Append("</tr></table>").ToString();
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join(Environment.NewLine, Samples.Select(s => $"{s.Id}: {string.Join(" | ", s.Captions)}"));
}
