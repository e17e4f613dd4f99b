using Microsoft.DotNet.Interactive.Formatting;
using SixLabors.ImageSharp.PixelFormats;
using Workbench.Data;
using Workbench.Data.Files;

namespace Workbench.Tests.Data.Files;

/// <summary>The report of what opening a caption file left out: in plain text for the terminal, as a table in notebooks.</summary>
public sealed class ImageFolderReportTests : IDisposable
{
    readonly SampleFilesFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>One good image, then <paramref name="missing"/> rows naming files that do not exist.</summary>
    ImageTextFolder Open(int missing, string missingName = "gone")
    {
        folder.WriteImage("good.png", SampleFilesFolder.Solid(8, 8, new Rgb24(1, 2, 3)));
        string captions = folder.WriteText("captions.csv", "filepath,caption\ngood.png,a dark square\n" +
            string.Concat(Enumerable.Range(0, missing).Select(i => $"{missingName}{i}.png,lost\n")));
        return new ImageTextFolder(captions, options: new ImageTextFolderOptions(ImageSize: 8));
    }

    [Fact]
    public void DescribeListsEachSkippedImageWithItsLineAndReasonUpToTheLimitThenCountsTheRest()
    {
        var report = Open(missing: 7).Report;

        var lines = report.Describe(maxListed: 5).Split(Environment.NewLine);

        Assert.Equal(report.ToString(), lines[0]);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"  line {i + 3}: gone{i}.png: image file not found"), lines[1..6]);
        Assert.Equal("  ... and 2 more", lines[6]);
        Assert.Equal(7, lines.Length);
        var clean = Open(missing: 0).Report;
        Assert.Equal(clean.ToString(), clean.Describe());   // nothing skipped: the summary alone
    }

    [Fact]
    public void TheNotebookShowsTheReportAsATableOfTheSkippedImages()
    {
        var report = Open(missing: 3, missingName: "<b>bold</b>").Report;
        Notebook.RegisterFormatters();

        string html = report.ToDisplayString("text/html");

        Assert.Equal(report.ToHtml(), html);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(report.ToString()), html);
        Assert.Equal(3, html.Split("<tr><td").Length - 1);   // one row per skipped image
        Assert.Contains("&lt;b&gt;bold&lt;/b&gt;0.png", html);  // names are escaped, not markup
        Assert.DoesNotContain("<b>bold</b>", html);
        Assert.Contains("image file not found", html);
    }

    [Fact]
    public void TheReportOfADataSourceIsFoundBehindItsSplitView()
    {
        var opened = Open(missing: 2);
        var view = DataSources.Open(Path.Combine(folder.Root, "captions.csv"), Split.Train);

        Assert.Equal(opened.Report.Skipped, ImageFolderReport.Of(view)!.Skipped);
        Assert.Same(opened.Report, ImageFolderReport.Of(opened));
        Assert.Null(ImageFolderReport.Of(DataSources.Open("shapes", Split.Train)));
    }
}
