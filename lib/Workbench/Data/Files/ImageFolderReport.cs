namespace Workbench.Data.Files;

/// <summary>An image left out of the data set, and why.</summary>
/// <param name="RelativePath">The path as the caption file writes it.</param>
/// <param name="ImagePath">The full path that was tried.</param>
/// <param name="Line">The caption file line that names it.</param>
/// <param name="Problem">What is wrong.</param>
/// <param name="Reason">The problem in words.</param>
public sealed record SkippedImage(string RelativePath, string ImagePath, int Line, ImageProblem Problem, string Reason);

/// <summary>What opening an image folder found: how many images the caption file lists, how many are usable, and the rest with reasons.</summary>
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

    /// <summary>One line: "captions.csv: 10 images listed, 8 usable, 2 skipped (Missing 1, Corrupt 1)".</summary>
    public override string ToString()
    {
        string text = $"{Path.GetFileName(CaptionFile)}: {Listed} images listed, {Usable} usable, {Skipped.Count} skipped";
        if (Skipped.Count > 0) text += $" ({string.Join(", ", SkippedBy.Select(p => $"{p.Key} {p.Value}"))})";
        if (EntriesWithoutImage > 0) text += $"; {EntriesWithoutImage} entries without an image left out";
        if (ImagesWithoutCaptions > 0) text += $"; {ImagesWithoutCaptions} images without captions left out";
        return text;
    }
}
