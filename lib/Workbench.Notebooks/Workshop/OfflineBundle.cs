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
/// <param name="KernelVersion">The version of the dotnet-interactive tool (the kernel VS Code's Polyglot Notebooks extension
/// starts) put in <c>packages/</c>, or null when this machine had none installed.</param>
public sealed record BundleReport(string Folder, IReadOnlyList<RestoredPackage> Packages, long PackageBytes,
    IReadOnlyList<string> TorchRuntimes, bool FashionMnist, IReadOnlyList<string> Notebooks, string? KernelVersion)
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

    /// <summary>The .NET tool that is the notebooks' kernel in VS Code (a tool package carries all its dependencies).</summary>
    public const string KernelPackageId = "Microsoft.dotnet-interactive";

    /// <summary>The script that installs the kernel from <c>packages/</c> and points VS Code at it.</summary>
    public const string KernelScript = "install-kernel.sh";

    /// <summary>Where that script installs the kernel, inside the bundle.</summary>
    public const string KernelFolder = ".tools";

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
        // The kernel: VS Code's extension would download it from nuget.org on first use, which a laptop with no
        // network cannot. The copy `./workbench setup --test` installed (or one in the package cache) goes along.
        string? kernelVersion = null;
        if (KernelPackage(repoRoot) is var (version, nupkg))
        {
            string target = Path.Combine(packageFolder, Path.GetFileName(nupkg));
            File.Copy(nupkg, target, overwrite: true);
            bytes += new FileInfo(target).Length;
            kernelVersion = version;
            string script = Path.Combine(outDir, KernelScript);
            AtomicFile.WriteAllText(script, KernelInstaller(version));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, File.GetUnixFileMode(script) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
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
        var report = new BundleReport(outDir, packages, bytes, runtimes, fashion, written, kernelVersion);
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

    /// <summary>
    /// The dotnet-interactive tool package on this machine: the one <c>./workbench setup --test</c> installed under
    /// <c>artifacts/tools</c>, else the newest in the NuGet package cache; null when there is none.
    /// </summary>
    public static (string Version, string Nupkg)? KernelPackage(string repoRoot)
    {
        string id = KernelPackageId.ToLowerInvariant();
        var candidates = new List<string>();
        string store = Path.Combine(repoRoot, "artifacts", "tools", ".store", id);
        if (Directory.Exists(store)) candidates.AddRange(Directory.GetFiles(store, $"{id}.*.nupkg", SearchOption.AllDirectories));
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (candidates.Count == 0 && Directory.Exists(Path.Combine(cache, id)))
            candidates.AddRange(Directory.GetFiles(Path.Combine(cache, id), $"{id}.*.nupkg", SearchOption.AllDirectories));
        return candidates
            .Select(path => (Version: Path.GetFileNameWithoutExtension(path)[(id.Length + 1)..], Nupkg: path))
            .Where(c => System.Version.TryParse(c.Version, out _))
            .OrderByDescending(c => System.Version.Parse(c.Version))
            .Select(c => ((string, string)?)c).FirstOrDefault();
    }

    /// <summary>
    /// The script that installs the kernel offline into the bundle's <c>.tools/</c> and writes <c>.vscode/settings.json</c>
    /// so that the Polyglot Notebooks extension starts that kernel (its <c>kernelTransportArgs</c> and
    /// <c>notebookParserArgs</c> settings) instead of downloading one, and, should it still look for its own copy, looks
    /// in the bundle's <c>packages/</c> (<c>interactiveToolSource</c>).
    /// </summary>
    static string KernelInstaller(string version) => $$"""
        #!/usr/bin/env bash
        # Installs the notebooks' kernel (dotnet-interactive {{version}}) from packages/ with no network, and points VS Code's
        # Polyglot Notebooks extension at it through this folder's .vscode/settings.json. Run it once, from anywhere.
        set -euo pipefail
        here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
        kernel="$here/{{KernelFolder}}/dotnet-interactive"
        if [[ ! -x "$kernel" ]]; then   # run it again safely: an installed kernel is kept
          dotnet tool install {{KernelPackageId}} --version {{version}} --tool-path "$here/{{KernelFolder}}" --configfile "$here/NuGet.config"
        fi
        mkdir -p "$here/.vscode"
        cat > "$here/.vscode/settings.json" <<JSON
        {
          "dotnet-interactive.interactiveToolSource": "$here/packages",
          "dotnet-interactive.kernelTransportArgs": ["$kernel", "[vscode]", "stdio", "--working-dir", "{working_dir}"],
          "dotnet-interactive.notebookParserArgs": ["$kernel", "notebook-parser"]
        }
        JSON
        echo "kernel installed: $kernel"
        echo "VS Code will start it for notebooks opened in this folder (.vscode/settings.json)."

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

            - {(report.KernelVersion is null ? "no notebook kernel: the machine that made the bundle had no dotnet-interactive installed (`./workbench setup --test` installs it); VS Code will try to download one" : $"`packages/` also holds the notebooks' kernel, dotnet-interactive {report.KernelVersion}, and `{KernelScript}` installs it")}.

            Missing: {missing}

            ## Steps on the laptop

            1. Install the .NET 10 SDK (the only thing to download beforehand; see `global.json`).
            2. Copy this folder to the laptop and open a terminal in it.
            3. Build offline: `dotnet build lib/Workbench.Cli` (Windows: the same in PowerShell). NuGet restores from
               `packages/`; no network is used. On Linux and macOS `./workbench doctor` then checks the environment.
            4. Install the notebooks' kernel offline: `./{KernelScript}` (Linux, macOS). It installs dotnet-interactive from
               `packages/` into `{KernelFolder}/` and writes `.vscode/settings.json`, whose `dotnet-interactive.kernelTransportArgs`
               and `dotnet-interactive.notebookParserArgs` make the Polyglot Notebooks extension start that kernel instead of
               downloading one, and whose `dotnet-interactive.interactiveToolSource` sends any download it still tries to
               `packages/`. Use the extension release that matches kernel {report.KernelVersion ?? "<version>"}: a newer one may
               ask for a newer kernel, which the bundle does not hold. On Windows run the same two steps by hand in PowerShell:
               `dotnet tool install {KernelPackageId} --version {report.KernelVersion ?? "<version>"} --tool-path .tools --configfile NuGet.config`,
               then put the two settings in `.vscode\settings.json` with the full path of `.tools\dotnet-interactive.exe`.
               The Polyglot Notebooks extension itself (a `.vsix`) must be installed in VS Code beforehand or from a file.
            5. Open the folder in VS Code with the Polyglot Notebooks extension and open `notebooks/00-welcome.ipynb`.
               Set `preset` to `smoke` (seconds) or `quick` (minutes) in each notebook's parameters cell.
            6. In each exercise cell, replace the `throw new NotImplementedException(...)` with your code and run the
               check cell after it. A failed check shows the first input where your function and the library's differ,
               with a hint; the notebook keeps working with the library's version either way.

            Run headless (optional): `./workbench run notebooks/02-clip.ipynb --preset smoke`.
            """;
    }
}
