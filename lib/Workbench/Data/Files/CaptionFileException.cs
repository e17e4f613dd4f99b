namespace Workbench.Data.Files;

/// <summary>A malformed caption file: names the file, the line (when known) and the problem.</summary>
public sealed class CaptionFileException : FormatException
{
    /// <summary>The caption file.</summary>
    public string FilePath { get; }
    /// <summary>The 1-based line of the problem, or 0 when it concerns the whole file.</summary>
    public int Line { get; }

    /// <summary>An error at a line (0: the whole file).</summary>
    public CaptionFileException(string filePath, int line, string problem, Exception? inner = null)
        : base(line > 0 ? $"{filePath}, line {line}: {problem}" : $"{filePath}: {problem}", inner)
    {
        (FilePath, Line) = (filePath, line);
    }
}
