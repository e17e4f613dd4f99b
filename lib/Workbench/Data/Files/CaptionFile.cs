namespace Workbench.Data.Files;

/// <summary>
/// Reads the caption files people already have for their image folders: CSV/TSV (open_clip), JSON Lines, COCO
/// captions and LLaVA conversations. Image paths are resolved against an image root. A malformed file fails with a
/// <see cref="CaptionFileException"/> naming the file and the line.
/// </summary>
public static class CaptionFile
{
    /// <summary>
    /// The format of a caption file from its extension: .csv, .tsv, .jsonl/.ndjson, and .json, which is COCO when the
    /// document is an object and LLaVA when it is an array.
    /// </summary>
    public static CaptionFormat Detect(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".csv": return CaptionFormat.Csv;
            case ".tsv": return CaptionFormat.Tsv;
            case ".jsonl" or ".ndjson": return CaptionFormat.JsonLines;
            case ".json":
                RequireFile(path);
                return JsonEntryWalker.FirstSignificantByte(path) switch
                {
                    (byte)'{' => CaptionFormat.Coco,
                    (byte)'[' => CaptionFormat.Llava,
                    0 => throw new CaptionFileException(path, 0, "the file is empty"),
                    _ => throw new CaptionFileException(path, 1,
                        "cannot tell the JSON format: expected an object (COCO captions) or an array (LLaVA conversations)"),
                };
            default:
                throw new CaptionFileException(path, 0,
                    $"cannot tell the caption format from the extension '{extension}': expected .csv, .tsv, .jsonl or .json, " +
                    $"or name the format with {nameof(CaptionFileOptions)}.{nameof(CaptionFileOptions.Format)}");
        }
    }

    /// <summary>
    /// Reads a caption file into one record per image. Image paths are resolved against
    /// <paramref name="imageRoot"/>, by default the caption file's own folder.
    /// </summary>
    public static CaptionFileContents Read(string path, string? imageRoot = null, CaptionFileOptions? options = null)
    {
        options ??= new CaptionFileOptions();
        RequireFile(path);
        imageRoot ??= Path.GetDirectoryName(Path.GetFullPath(path))!;
        var format = options.Format == CaptionFormat.Auto ? Detect(path) : options.Format;
        return format switch
        {
            CaptionFormat.Csv => CsvCaptionReader.Read(path, imageRoot, options, ','),
            CaptionFormat.Tsv => CsvCaptionReader.Read(path, imageRoot, options, '\t'),
            CaptionFormat.JsonLines => JsonLinesCaptionReader.Read(path, imageRoot),
            CaptionFormat.Coco => CocoCaptionReader.Read(path, imageRoot),
            CaptionFormat.Llava => LlavaConversationReader.Read(path, imageRoot),
            _ => throw new ArgumentOutOfRangeException(nameof(options), $"unknown caption format {options.Format}"),
        };
    }

    static void RequireFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"caption file not found: {path}", path);
    }
}
