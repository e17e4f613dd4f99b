using Workbench.IO;

namespace Workbench.Data;

/// <summary>
/// Finds the official Fashion-MNIST IDX files. Looks in the repository's <c>data/fashion-mnist/</c>, then in the
/// Debian package's <c>/usr/share/datasets/fashion-mnist/</c>, then in the folder <c>WORKBENCH_FASHION_MNIST</c> names.
/// A folder the caller passes explicitly is looked in first.
/// </summary>
public static class FashionMnistLocator
{
    /// <summary>Environment variable naming a folder with the IDX files.</summary>
    public const string EnvironmentVariable = "WORKBENCH_FASHION_MNIST";
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";
    /// <summary>The four files of the official release (each may also be stored without <c>.gz</c>).</summary>
    public static readonly IReadOnlyList<string> Files =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>How to get the data set, for error messages.</summary>
    public const string HowToGet =
        "Install it with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or download the four " +
        "*-ubyte.gz files of the official release into data/fashion-mnist/, or point WORKBENCH_FASHION_MNIST at a folder holding them.";

    /// <summary>The folders searched, in order: a folder the caller names, data/fashion-mnist/, Debian's, then WORKBENCH_FASHION_MNIST.</summary>
    public static IEnumerable<string> SearchFolders(string? userFolder = null)
    {
        if (!string.IsNullOrWhiteSpace(userFolder)) yield return userFolder;
        if (WorkbenchPaths.Data is { } data) yield return Path.Combine(data, "fashion-mnist");
        yield return DebianFolder;
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) yield return env;
    }

    /// <summary>The first folder holding all four files, or null.</summary>
    public static string? TryLocate(string? userFolder = null) =>
        SearchFolders(userFolder).FirstOrDefault(dir => Files.All(f => Resolve(dir, f) is not null));

    /// <summary>The first folder holding all four files; otherwise an error listing where it looked and how to get them.</summary>
    public static string Locate(string? userFolder = null) =>
        TryLocate(userFolder) ?? throw new FileNotFoundException(
            "Fashion-MNIST was not found. Looked in: " + string.Join(", ", SearchFolders(userFolder)) + ". " + HowToGet);

    /// <summary>The path of one file in a folder, gzipped or not, or null.</summary>
    public static string? Resolve(string folder, string file) =>
        new[] { Path.Combine(folder, file + ".gz"), Path.Combine(folder, file) }.FirstOrDefault(File.Exists);
}
