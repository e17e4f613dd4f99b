using CsvHelper;

namespace Workbench.Data.Files;

/// <summary>
/// Reads CSV/TSV caption files with a header row, open_clip's convention (<c>filepath</c> and <c>caption</c> columns
/// by default; names match exactly, else ignoring case and surrounding spaces). RFC 4180 quoting in both; bad
/// quoting or a row with the wrong number of fields is an error naming its line rather than a silently shifted caption.
/// </summary>
static class CsvCaptionReader
{
    public static CaptionFileContents Read(string path, string imageRoot, CaptionFileOptions options, char separator)
    {
        var csvOptions = CsvReaderOptions.Default with
        {
            Separator = separator,
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Throw,
            TrackLineNumbers = true,
        };
        var grouping = new RecordGrouping(imageRoot);
        try
        {
            using var csv = CsvReader.FromFile(path, csvOptions);
            var header = csv.Headers;
            if (header.Count == 0 || header.All(string.IsNullOrWhiteSpace))
                throw new CaptionFileException(path, 1, $"no header row; expected columns '{options.ImageColumn}' and '{options.CaptionColumn}'");
            int imageColumn = Column(path, csv, options.ImageColumn, nameof(options.ImageColumn));
            int captionColumn = Column(path, csv, options.CaptionColumn, nameof(options.CaptionColumn));

            while (csv.Read())
            {
                int line = (int)csv.LineNumber;
                string image = csv.GetString(imageColumn).Trim();
                if (image.Length == 0) throw new CaptionFileException(path, line, $"empty '{header[imageColumn]}' (no image path)");
                grouping.Add(image, line, [csv.GetString(captionColumn)]);
            }
        }
        catch (CsvFormatException ex)
        {
            throw new CaptionFileException(path, (int)ex.LineNumber, ex.Message, ex);
        }
        return new CaptionFileContents(path, separator == '\t' ? CaptionFormat.Tsv : CaptionFormat.Csv, grouping.Records(), 0, 0);
    }

    static int Column(string path, CsvReader csv, string name, string option)
    {
        if (csv.TryGetFieldIndex(name, out int index)) return index;
        throw new CaptionFileException(path, 1,
            $"no '{name}' column in the header (columns: {string.Join(", ", csv.Headers.Select(h => $"'{h}'"))}); " +
            $"name the right one with {nameof(CaptionFileOptions)}.{option}");
    }
}
