namespace Workbench.Data.Files;

/// <summary>The caption file formats people already have for their image folders.</summary>
public enum CaptionFormat
{
    /// <summary>Decide from the extension (.csv, .tsv, .jsonl, .json; a .json is COCO when it is an object, LLaVA when it is an array).</summary>
    Auto,
    /// <summary>Comma-separated with a header row holding an image column and a caption column (open_clip's convention).</summary>
    Csv,
    /// <summary>Tab-separated, otherwise like <see cref="Csv"/>.</summary>
    Tsv,
    /// <summary>One JSON object per line with an image field and a caption field (or a captions array).</summary>
    JsonLines,
    /// <summary>COCO captions: <c>images: [{id, file_name}]</c>, <c>annotations: [{image_id, caption}]</c>.</summary>
    Coco,
    /// <summary>LLaVA instruction data: an array of <c>{id, image, conversations: [{from, value}]}</c>.</summary>
    Llava,
}

/// <summary>How to read a caption file.</summary>
/// <param name="Format">The format, or <see cref="CaptionFormat.Auto"/> to detect it.</param>
/// <param name="ImageColumn">CSV/TSV only: the header of the column holding image paths.</param>
/// <param name="CaptionColumn">CSV/TSV only: the header of the column holding captions.</param>
public sealed record CaptionFileOptions(
    CaptionFormat Format = CaptionFormat.Auto,
    string ImageColumn = "filepath",
    string CaptionColumn = "caption");
