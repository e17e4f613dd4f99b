using System.Globalization;
using Microsoft.DotNet.Interactive.Formatting;
using SixLabors.ImageSharp;
using Workbench.Plots;
using Workbench.Runtime;

namespace Workbench;

/// <summary>What the first cell of a notebook shows: the environment, plus plotly.js for the charts that follow.</summary>
/// <param name="Environment">The environment report.</param>
public sealed record NotebookReady(EnvironmentReport Environment)
{
    /// <inheritdoc />
    public override string ToString() => Environment.ToString();
}

/// <summary>
/// Notebook glue. Every notebook's first cell references the library and calls <see cref="Setup"/>, which loads
/// TorchSharp (with the Debian 12 fix where needed), teaches the notebook host to display charts, images and
/// reports, and puts plotly.js on the page so charts render offline.
/// </summary>
public static class Notebook
{
    static bool formattersRegistered;

    /// <summary>
    /// Loads TorchSharp, registers display formatters and returns the environment report to show. Throws
    /// <see cref="TorchLoadException"/>, naming the cause, when TorchSharp's native library cannot be loaded.
    /// </summary>
    public static NotebookReady Setup()
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        TorchRuntime.EnsureLoaded();
        var report = EnvironmentReport.Collect();
        RegisterFormatters();
        return new NotebookReady(report);
    }

    /// <summary>Registers HTML formatters for charts, images and workbench reports (idempotent).</summary>
    public static void RegisterFormatters()
    {
        if (formattersRegistered) return;
        Formatter.Register<Figure>((chart, writer) => writer.Write(ChartHtml.Fragment(chart)), "text/html");
        Formatter.Register<Image>((image, writer) => writer.Write(ImageHtml.Tag(image)), "text/html");
        Formatter.Register<Workbench.Data.RgbImage>((image, writer) => { using var i = image.ToImage(); writer.Write(ImageHtml.Tag(i)); }, "text/html");
        Formatter.Register<TrainingProgress>((progress, writer) => writer.Write(progress.ToHtml()), "text/html");
        Formatter.Register<RetrievalGallery>((gallery, writer) => writer.Write(gallery.ToHtml()), "text/html");
        Formatter.Register<Gallery>((gallery, writer) => writer.Write(gallery.ToHtml()), "text/html");
        Formatter.Register<AnswerGallery>((gallery, writer) => writer.Write(gallery.ToHtml()), "text/html");
        Formatter.Register<TokenStrip>((strip, writer) => writer.Write(strip.ToHtml()), "text/html");
        Formatter.Register<FlamingoDiagram>((diagram, writer) => writer.Write(diagram.ToHtml()), "text/html");
        Formatter.Register<RunsProgress>((progress, writer) => writer.Write(progress.ToHtml()), "text/html");
        Formatter.Register<EnvironmentReport>((report, writer) => writer.Write(report.ToHtml()), "text/html");
        Formatter.Register<Workbench.Teaching.ExerciseReport>((report, writer) => writer.Write(report.ToHtml()), "text/html");
        Formatter.Register<Workbench.Data.Files.ImageFolderReport>((report, writer) => writer.Write(report.ToHtml()), "text/html");
        Formatter.Register<NotebookReady>((ready, writer) =>
            writer.Write(ready.Environment.ToHtml() + ChartHtml.LibraryTag()), "text/html");
        formattersRegistered = true;
    }
}
