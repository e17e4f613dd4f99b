namespace Workbench.IO;

/// <summary>Where the workbench's own folders are: the repository root, <c>data/</c> and <c>artifacts/</c>.</summary>
public static class WorkbenchPaths
{
    /// <summary>Environment variable naming the repository root, for hosts started elsewhere.</summary>
    public const string RootVariable = "WORKBENCH_ROOT";

    /// <summary>
    /// The repository root: <c>WORKBENCH_ROOT</c> if set, else the nearest folder holding <c>Workbench.sln</c> above the
    /// working directory or above the running assembly. Null when run outside a checkout.
    /// </summary>
    public static string? Root { get; } = FindRoot();

    /// <summary>The repository's <c>data/</c> folder (null outside a checkout).</summary>
    public static string? Data => Root is null ? null : Path.Combine(Root, "data");

    /// <summary>The repository's <c>artifacts/</c> folder, or <c>./artifacts</c> outside a checkout.</summary>
    public static string Artifacts => Path.Combine(Root ?? Environment.CurrentDirectory, "artifacts");

    static string? FindRoot()
    {
        var configured = Environment.GetEnvironmentVariable(RootVariable);
        if (!string.IsNullOrWhiteSpace(configured) && Directory.Exists(configured)) return Path.GetFullPath(configured);
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Workbench.sln"))) return dir.FullName;
        }
        return null;
    }
}
