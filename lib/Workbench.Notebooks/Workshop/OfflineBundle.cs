using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Workbench.Data;
using Workbench.IO;

namespace Workbench.Notebooks.Workshop;

/// <summary>A package the build restores.</summary>
/// <param name="Id">The package id.</param>
/// <param name="Version">Its version.</param>
/// <param name="Nupkg">The .nupkg in the local package cache, or null when the cache lacks it.</param>
public sealed record RestoredPackage(string Id, string Version, string? Nupkg);

/// <summary>What <see cref="OfflineBundle.Write"/> put in the bundle, and what it could not.</summary>
/// <param name="Folder">The bundle.</param>
/// <param name="Packages">Every package the solution restores, with where its .nupkg came from.</param>
/// <param name="PackageBytes">The size of the copied packages.</param>
/// <param name="TorchRuntimes">The operating systems whose LibTorch runtime package is in the bundle (e.g. linux-x64).</param>
/// <param name="FashionMnist">Whether the Fashion-MNIST IDX files were found and copied.</param>
/// <param name="Notebooks">The student notebooks written.</param>
public sealed record BundleReport(string Folder, IReadOnlyList<RestoredPackage> Packages, long PackageBytes,
    IReadOnlyList<string> TorchRuntimes, bool FashionMnist, IReadOnlyList<string> Notebooks)
{
    /// <summary>The packages the local cache lacks: the bundle cannot restore what needs them.</summary>
    public IReadOnlyList<RestoredPackage> Missing => Packages.Where(p => p.Nupkg is null).ToList();
}

/// <summary>
/// <c>workbench workshop bundle</c>: what an attendee's laptop needs with no network. The workbench's source (the files
/// git tracks), the student copies of the notebooks in place of the originals, a local NuGet folder (<c>packages/</c>)
/// with every package the solution's restore resolved, taken from the local package cache, a <c>NuGet.config</c> that
/// clears every other source, the Fashion-MNIST IDX files when this machine has them (ShapesWorld is generated and
/// needs none), and a README with the steps.
/// </summary>
public static partial class OfflineBundle
{
    /// <summary>The bundle's NuGet folder.</summary>
    public const string PackagesFolder = "packages";

    /// <summary>The package whose dependencies are TorchSharp's per-OS native runtimes.</summary>
    const string TorchRuntimePrefix = "libtorch-cpu-";

    [GeneratedRegex("""^Project\("[^"]+"\) = "[^"]+", "(?<path>[^"]+\.csproj)""", RegexOptions.Multiline)]
    private static partial Regex SolutionProject();

    /// <summary>Every package the projects of <paramref name="repoRoot"/>'s solution restored (their obj/project.assets.json).</summary>
    public static IReadOnlyList<RestoredPackage> RestoredPackages(string repoRoot)
    {
        string solution = Path.Combine(repoRoot, "Workbench.sln");
        if (!File.Exists(solution)) throw new FileNotFoundException($"No Workbench.sln in {repoRoot}: run the bundle from the workbench's folder.");
        var packages = new SortedDictionary<string, RestoredPackage>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in SolutionProject().Matches(File.ReadAllText(solution)))
        {
            string project = Path.Combine(repoRoot, m.Groups["path"].Value.Replace('\\', '/'));
            string assets = Path.Combine(Path.GetDirectoryName(project)!, "obj", "project.assets.json");
            if (!File.Exists(assets))
                throw new FileNotFoundException($"{assets} is missing: restore the solution first (`./workbench setup` or `dotnet restore Workbench.sln`).", assets);
            var json = JsonNode.Parse(File.ReadAllText(assets))!;
            var folders = (json["packageFolders"] as JsonObject)?.Select(f => f.Key).ToList() ?? [];
            foreach (var (key, library) in (JsonObject)json["libraries"]!)
            {
                if ((string?)library?["type"] != "package") continue;
                string id = key[..key.IndexOf('/')], version = key[(key.IndexOf('/') + 1)..];
                string path = (string?)library!["path"] ?? $"{id.ToLowerInvariant()}/{version.ToLowerInvariant()}";
                string nupkg = $"{id.ToLowerInvariant()}.{version.ToLowerInvariant()}.nupkg";
                var found = folders.Select(f => Path.Combine(f, path, nupkg)).FirstOrDefault(File.Exists);
                packages[key] = new RestoredPackage(id, version, found);
            }
        }
        return packages.Values.ToList();
    }

    /// <summary>Writes the bundle into <paramref name="outDir"/> (which must be empty or new).</summary>
    public static BundleReport Write(string repoRoot, string outDir)
    {
        repoRoot = Path.GetFullPath(repoRoot);
        outDir = Path.GetFullPath(outDir);
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
            throw new IOException($"{outDir} is not empty: give a new folder for the bundle.");
        if (outDir.StartsWith(repoRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !outDir.StartsWith(Path.Combine(repoRoot, "artifacts"), StringComparison.Ordinal))
            throw new ArgumentException($"{outDir} is inside the workbench's tracked tree: write the bundle elsewhere (or under artifacts/).");
        var packages = RestoredPackages(repoRoot);
        Directory.CreateDirectory(outDir);

        // The source, as git tracks it; the notebooks are replaced by their student copies below.
        string notebooks = Path.Combine(repoRoot, "notebooks");
        foreach (var file in TrackedFiles(repoRoot))
        {
            string source = Path.Combine(repoRoot, file);
            if (!File.Exists(source) || (Path.GetDirectoryName(source) == notebooks && file.EndsWith(".ipynb", StringComparison.Ordinal))) continue;
            string target = Path.Combine(outDir, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, File.GetUnixFileMode(source));
        }
        // Student copies sit where the originals sat, so their library references resolve as before.
        var written = new List<string>();
        foreach (var notebook in Directory.GetFiles(notebooks, "*.ipynb").Order(StringComparer.Ordinal))
        {
            var json = WorkshopCopies.Load(notebook);
            WorkshopCopies.Exercises(notebook, json);
            string target = Path.Combine(outDir, "notebooks", Path.GetFileName(notebook));
            WorkshopCopies.Save(WorkshopCopies.StudentCopy(notebook, json, notebooks), target);
            written.Add(target);
        }

        string packageFolder = Path.Combine(outDir, PackagesFolder);
        Directory.CreateDirectory(packageFolder);
        long bytes = 0;
        foreach (var package in packages.Where(p => p.Nupkg is not null))
        {
            string target = Path.Combine(packageFolder, Path.GetFileName(package.Nupkg!));
            File.Copy(package.Nupkg!, target);
            bytes += new FileInfo(target).Length;
        }
        var runtimes = packages.Where(p => p.Nupkg is not null && p.Id.StartsWith(TorchRuntimePrefix, StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Id[TorchRuntimePrefix.Length..]).Order(StringComparer.Ordinal).ToList();

        bool fashion = false;
        if (FashionMnistLocator.TryLocate() is { } fashionFolder)
        {
            string target = Path.Combine(outDir, "data", "fashion-mnist");
            Directory.CreateDirectory(target);
            foreach (var file in FashionMnistLocator.Files)
            {
                string source = FashionMnistLocator.Resolve(fashionFolder, file)!;
                File.Copy(source, Path.Combine(target, Path.GetFileName(source)));
            }
            fashion = true;
        }

        AtomicFile.WriteAllText(Path.Combine(outDir, "NuGet.config"), NuGetConfig);
        var report = new BundleReport(outDir, packages, bytes, runtimes, fashion, written);
        AtomicFile.WriteAllText(Path.Combine(outDir, "WORKSHOP-BUNDLE.md"), Readme(report));
        return report;
    }

    /// <summary>A NuGet.config that restores from the bundle's folder only.</summary>
    public const string NuGetConfig = """
        <?xml version="1.0" encoding="utf-8"?>
        <!-- Restores from the bundle's packages/ folder only: <clear/> removes every source configured elsewhere (nuget.org too). -->
        <configuration>
          <packageSources>
            <clear />
            <add key="workshop-bundle" value="packages" />
          </packageSources>
        </configuration>

        """;

    static IReadOnlyList<string> TrackedFiles(string repoRoot)
    {
        var info = new ProcessStartInfo("git", ["-C", repoRoot, "ls-files", "-z"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException($"git is needed to list the workbench's files ({e.Message}).", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new IOException($"git ls-files failed in {repoRoot}: {stderr.Trim()}");
            return stdout.Result.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    static string Readme(BundleReport report)
    {
        string missing = report.Missing.Count == 0
            ? "None: every package the build restores is in `packages/`."
            : "These packages were not in the local package cache when the bundle was made, so a build that needs them fails offline: " +
              string.Join(", ", report.Missing.Select(p => $"`{p.Id} {p.Version}`")) + ".";
        return $"""
            # Workshop bundle: the workbench with no network

            What is here:

            - the workbench's source, with the **student notebooks** in `notebooks/` (exercise stubs in place, no solutions);
            - `packages/`: every NuGet package the workbench's build restores ({report.Packages.Count - report.Missing.Count} packages,
              {report.PackageBytes / (1024.0 * 1024):F0} MB), including TorchSharp's native LibTorch for: {(report.TorchRuntimes.Count == 0 ? "none" : string.Join(", ", report.TorchRuntimes))};
            - `NuGet.config`: restores from `packages/` only (`<clear/>` removes nuget.org and every other source);
            - {(report.FashionMnist ? "`data/fashion-mnist/`: the Fashion-MNIST IDX files" : "no Fashion-MNIST files (they were not on the machine that made the bundle; notebook 02 then uses ShapesWorld)")}.
              ShapesWorld, the default data, is generated and needs nothing.

            Missing: {missing}

            ## Steps on the laptop

            1. Install the .NET 10 SDK (the only thing to download beforehand; see `global.json`).
            2. Copy this folder to the laptop and open a terminal in it.
            3. Build offline: `dotnet build lib/Workbench.Cli` (Windows: the same in PowerShell). NuGet restores from
               `packages/`; no network is used. On Linux and macOS `./workbench doctor` then checks the environment.
            4. Open the folder in VS Code with the Polyglot Notebooks extension and open `notebooks/00-welcome.ipynb`.
               Set `preset` to `smoke` (seconds) or `quick` (minutes) in each notebook's parameters cell.
            5. In each exercise cell, replace the `throw new NotImplementedException(...)` with your code and run the
               check cell after it. A failed check shows the first input where your function and the library's differ,
               with a hint; the notebook keeps working with the library's version either way.

            Run headless (optional): `./workbench run notebooks/02-clip.ipynb --preset smoke`.
            """;
    }
}
