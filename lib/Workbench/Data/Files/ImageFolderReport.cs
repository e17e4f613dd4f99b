using System.Net;
using System.Text;

namespace Workbench.Data.Files;

/// <summary>An image left out of the data set, and why.</summary>
/// <param name="RelativePath">The path as the caption file writes it.</param>
/// <param name="ImagePath">The full path that was tried.</param>
/// <param name="Line">The caption file line that names it.</param>
/// <param name="Problem">What is wrong.</param>
/// <param name="Reason">The problem in words.</param>
public sealed record SkippedImage(string RelativePath, string ImagePath, int Line, ImageProblem Problem, string Reason);

/// <summary>
/// What opening an image folder found: how many images the caption file lists, how many are usable, and the rest with
/// reasons. A notebook shows it as a table (<see cref="ToHtml"/>); <see cref="Describe"/> is the same in plain text.
/// </summary>
/// <param name="CaptionFile">The caption file.</param>
/// <param name="Format">Its format.</param>
/// <param name="Listed">Distinct images the caption file lists (with at least one caption).</param>
/// <param name="Skipped">The images left out, in caption file order.</param>
/// <param name="EntriesWithoutImage">Caption file entries that name no image (LLaVA text-only conversations).</param>
/// <param name="ImagesWithoutCaptions">Images the caption file lists without any caption (COCO).</param>
public sealed record ImageFolderReport(
    string CaptionFile,
    CaptionFormat Format,
    int Listed,
    IReadOnlyList<SkippedImage> Skipped,
    int EntriesWithoutImage,
    int ImagesWithoutCaptions)
{
    /// <summary>Images in the data set: listed minus skipped.</summary>
    public int Usable => Listed - Skipped.Count;

    /// <summary>How many were skipped for each problem.</summary>
    public IReadOnlyDictionary<ImageProblem, int> SkippedBy =>
        Skipped.GroupBy(s => s.Problem).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>
    /// The report of the caption file behind a data set: an <see cref="ImageTextFolder"/> itself or a
    /// <see cref="SplitView"/> of one (what <see cref="DataSources.Open"/> returns for a caption file); null for
    /// sources that read no user files.
    /// </summary>
    public static ImageFolderReport? Of(IImageTextDataset data) => data switch
    {
        ImageTextFolder folder => folder.Report,
        SplitView view => Of(view.Source),
        _ => null,
    };

    /// <summary>One line: "captions.csv: 10 images listed, 8 usable, 2 skipped (Missing 1, Corrupt 1)".</summary>
    public override string ToString()
    {
        string text = $"{Path.GetFileName(CaptionFile)}: {Listed} images listed, {Usable} usable, {Skipped.Count} skipped";
        if (Skipped.Count > 0) text += $" ({string.Join(", ", SkippedBy.Select(p => $"{p.Key} {p.Value}"))})";
        if (EntriesWithoutImage > 0) text += $"; {EntriesWithoutImage} entries without an image left out";
        if (ImagesWithoutCaptions > 0) text += $"; {ImagesWithoutCaptions} images without captions left out";
        return text;
    }

    /// <summary>
    /// The summary line, then one line per skipped image (caption file line, path, reason) for the first
    /// <paramref name="maxListed"/> of them, then how many more were left unlisted.
    /// </summary>
    public string Describe(int maxListed = 20)
    {
        var text = new StringBuilder(ToString());
        foreach (var image in Skipped.Take(maxListed))
            text.AppendLine().Append($"  line {image.Line}: {image.RelativePath}: {image.Reason}");
        if (Skipped.Count > maxListed) text.AppendLine().Append($"  ... and {Skipped.Count - maxListed} more");
        return text.ToString();
    }

    /// <summary>The summary, then a table of the first <paramref name="maxListed"/> skipped images with their reasons.</summary>
    public string ToHtml(int maxListed = 50)
    {
        var html = new StringBuilder("<div class=\"workbench-image-folder-report\"><div><b>")
            .Append(WebUtility.HtmlEncode(ToString())).Append("</b></div>");
        if (Skipped.Count > 0)
        {
            html.Append("<table style=\"border-collapse:collapse;font-size:12px\"><tr><th style=\"text-align:left\">line</th>")
                .Append("<th style=\"text-align:left\">image</th><th style=\"text-align:left\">problem</th><th style=\"text-align:left\">reason</th></tr>");
            foreach (var image in Skipped.Take(maxListed))
                html.Append("<tr><td style=\"text-align:right;padding:0 8px\">").Append(image.Line)
                    .Append("</td><td style=\"text-align:left;padding:0 8px\">").Append(WebUtility.HtmlEncode(image.RelativePath))
                    .Append("</td><td style=\"text-align:left;padding:0 8px\">").Append(image.Problem)
                    .Append("</td><td style=\"text-align:left;padding:0 8px\">").Append(WebUtility.HtmlEncode(image.Reason)).Append("</td></tr>");
            html.Append("</table>");
            if (Skipped.Count > maxListed) html.Append("<div>... and ").Append(Skipped.Count - maxListed).Append(" more</div>");
        }
        return html.Append("</div>").ToString();
    }
}
