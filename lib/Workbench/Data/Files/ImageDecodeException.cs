namespace Workbench.Data.Files;

/// <summary>What was wrong with an image file.</summary>
public enum ImageProblem
{
    /// <summary>The file does not exist (or is a folder).</summary>
    Missing,
    /// <summary>The file exists but cannot be read (permissions, I/O error).</summary>
    Unreadable,
    /// <summary>The file has no bytes.</summary>
    Empty,
    /// <summary>The file is larger than the byte limit.</summary>
    TooManyBytes,
    /// <summary>No decoder recognises the file's signature.</summary>
    UnknownFormat,
    /// <summary>The header claims more pixels than the pixel limit (a decompression bomb, or simply too big).</summary>
    TooManyPixels,
    /// <summary>The header or the pixel data is damaged or unsupported.</summary>
    Corrupt,
}

/// <summary>An image file that cannot be decoded, naming the file and the problem.</summary>
public sealed class ImageDecodeException : IOException
{
    /// <summary>The image file.</summary>
    public string FilePath { get; }
    /// <summary>What is wrong with it.</summary>
    public ImageProblem Problem { get; }
    /// <summary>The problem in words, without the file name (for reports that list the file separately).</summary>
    public string Reason { get; }

    /// <summary>An error about one file.</summary>
    public ImageDecodeException(string filePath, ImageProblem problem, string reason, Exception? inner = null)
        : base($"{filePath}: {reason}", inner)
    {
        (FilePath, Problem, Reason) = (filePath, problem, reason);
    }
}
