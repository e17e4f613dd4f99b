using System.CommandLine;

namespace Workbench.Cli.Commands;

/// <summary>
/// Checks of options that name files and folders, made when the command line is parsed so a wrong path fails before
/// any work. Inputs are typed (<see cref="FileInfo"/>, <see cref="DirectoryInfo"/>) and must exist; outputs are
/// strings that must name something.
/// </summary>
static class PathInputs
{
    /// <summary>An input file that must exist.</summary>
    public static Option<FileInfo?> ExistingFile(this Option<FileInfo?> option) => option.Check(file =>
        file is null || file.Exists ? null
        : Directory.Exists(file.FullName) ? $"{option.Name}: {file} is a folder, not a file."
        : $"{option.Name}: file not found: {file}");

    /// <summary>A run folder written by <c>workbench train <paramref name="method"/></c>: it must exist and hold run.json.</summary>
    public static Option<DirectoryInfo> RunFolder(this Option<DirectoryInfo> option, string method = "clip") => option.Check(folder =>
        folder is null ? null
        : !folder.Exists ? $"{option.Name}: folder not found: {folder}"
        : !File.Exists(Path.Combine(folder.FullName, "run.json"))
            ? $"{option.Name}: {folder} is not a run folder: {Path.Combine(folder.ToString(), "run.json")} is missing " +
              $"(train one with `workbench train {method} --out {folder}`)."
        : null);

    /// <summary>An input folder that must exist.</summary>
    public static Option<DirectoryInfo?> ExistingFolder(this Option<DirectoryInfo?> option) => option.Check(folder =>
        folder is null || folder.Exists ? null
        : File.Exists(folder.FullName) ? $"{option.Name}: {folder} is a file, not a folder."
        : $"{option.Name}: folder not found: {folder}");

    /// <summary>An output file or folder: the value must name one (not be empty).</summary>
    public static Option<string> OutputPath(this Option<string> option) =>
        option.Check(path => string.IsNullOrWhiteSpace(path) ? $"{option.Name}: give the path to write to." : null);

    /// <summary>Files or folders that must exist; a missing one is "<paramref name="what"/> not found: PATH".</summary>
    public static Argument<FileSystemInfo[]> ExistingPaths(this Argument<FileSystemInfo[]> argument, string what) => argument.Check(paths =>
        paths.FirstOrDefault(p => p is not null && !p.Exists) is { } missing ? $"{what} not found: {missing}"
        : paths.Any(p => p is null) ? $"<{argument.Name}>: an empty path"
        : null);

    /// <summary>A folder that must exist; a missing one is "<paramref name="what"/> not found: PATH".</summary>
    public static Argument<DirectoryInfo> ExistingFolder(this Argument<DirectoryInfo> argument, string what) => argument.Check(folder =>
        folder is null ? $"<{argument.Name}>: an empty path"
        : !folder.Exists ? (File.Exists(folder.FullName) ? $"<{argument.Name}>: {folder} is a file, not a folder." : $"{what} not found: {folder}")
        : null);
}
