namespace Workbench.Data.Files;

/// <summary>One image and its language, as read from a caption file.</summary>
/// <param name="RelativePath">The image path as the caption file writes it (relative to the image root, or absolute).</param>
/// <param name="ImagePath">The full path: <paramref name="RelativePath"/> resolved against the image root.</param>
/// <param name="Captions">All captions of this image, in file order (whitespace trimmed).</param>
/// <param name="Turns">Question-answer turns (LLaVA conversations), else empty.</param>
/// <param name="Line">The line (1-based) of the image's first row or entry in the caption file.</param>
public sealed record ImageTextRecord(
    string RelativePath,
    string ImagePath,
    IReadOnlyList<string> Captions,
    IReadOnlyList<QuestionAnswer> Turns,
    int Line);

/// <summary>What a caption file held.</summary>
/// <param name="FilePath">The caption file.</param>
/// <param name="Format">Its format (detected or given).</param>
/// <param name="Records">One record per distinct image, in order of first appearance.</param>
/// <param name="EntriesWithoutImage">Entries left out because they name no image (LLaVA's text-only conversations).</param>
/// <param name="ImagesWithoutCaptions">Images left out because no caption refers to them (COCO images without annotations).</param>
public sealed record CaptionFileContents(
    string FilePath,
    CaptionFormat Format,
    IReadOnlyList<ImageTextRecord> Records,
    int EntriesWithoutImage,
    int ImagesWithoutCaptions);
