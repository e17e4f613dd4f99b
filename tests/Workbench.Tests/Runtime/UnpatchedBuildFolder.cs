using Workbench.Runtime;

namespace Workbench.Tests.Runtime;

/// <summary>
/// A copy of the build folder (artifacts/workbench) whose <c>libLibTorchSharp.so</c> is as TorchSharp ships it: the
/// state a rebuild leaves behind. A fresh process started from it must apply the Debian 12 fix itself. Managed
/// assemblies are copied (so the copy is the application folder, and TorchSharp looks for its native library there);
/// the other native libraries, half a gigabyte, are symbolic links.
/// </summary>
public sealed class UnpatchedBuildFolder : IDisposable
{
    const string NativeFileName = "libLibTorchSharp.so";
    readonly TempFolder temp = new();

    public UnpatchedBuildFolder()
    {
        string build = Path.GetDirectoryName(Cli.Dll)!;
        string source = Path.Combine(build, NativeFileName);
        if (!File.Exists(source))
        {
            SkipReason = $"{source} is missing (not a Linux x64 build?)";
            Unpatched = [];
            return;
        }
        Directory.CreateDirectory(Folder);
        CopyTree(build, Folder);
        Unpatched = ElfEdits.WithMarkersRequired(File.ReadAllBytes(source));
        Install(Unpatched);
    }

    /// <summary>Why tests using this folder must skip (no Linux native library to copy), or null.</summary>
    public string? SkipReason { get; }

    /// <summary>Skips the calling test when there is nothing to copy.</summary>
    public void SkipUnlessAvailable() => Skip.If(SkipReason is not null, SkipReason);

    /// <summary>The copied build folder.</summary>
    public string Folder => temp["workbench"];

    /// <summary>The native library TorchSharp loads from the copy.</summary>
    public string NativeLibrary => Path.Combine(Folder, NativeFileName);

    /// <summary>The copy's `workbench` command.</summary>
    public string CliDll => Path.Combine(Folder, "Workbench.Cli.dll");

    /// <summary>The native library with every marker version required again (not weak), as shipped.</summary>
    public byte[] Unpatched { get; }

    /// <summary>A scratch folder next to the copy.</summary>
    public string Scratch(string name) => temp[name];

    /// <summary>Puts these bytes in place of the copy's native library (no process may have it loaded).</summary>
    public void Install(byte[] native)
    {
        File.Delete(NativeLibrary);
        File.WriteAllBytes(NativeLibrary, native);
    }

    /// <summary>Whether the copy's native library still requires a marker version (nobody patched it).</summary>
    public bool RequiresMarkers() =>
        ElfSymbolVersions.ReadNeeded(NativeLibrary).Any(n => TorchRuntime.MarkerVersions.Contains(n.Version) && !n.IsWeak);

    /// <summary>Runs the copy's `workbench` in a fresh process, from the repository root.</summary>
    public Cli.Result Run(params string[] args) => Cli.RunBuild(CliDll, Cli.RepoRoot, TimeSpan.FromMinutes(3), OneTorchThread.Environment, args);

    /// <summary>Whether this system's C++ runtime lacks a marker version, so that the fix must patch the library.</summary>
    public static bool HostNeedsTheFix() =>
        TorchRuntime.FindHostLibStdCxx() is { } host && TorchRuntime.MarkerVersions.Any(v => !ElfSymbolVersions.ReadDefined(host).Contains(v));

    static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from))
        {
            string target = Path.Combine(to, Path.GetFileName(dir));
            Directory.CreateDirectory(target);
            CopyTree(dir, target);
        }
        foreach (var file in Directory.GetFiles(from))
        {
            string name = Path.GetFileName(file), target = Path.Combine(to, name);
            if (name == NativeFileName) continue;
            // Native libraries are found through the loader's $ORIGIN, which a link in this folder satisfies.
            if (name.Contains(".so")) File.CreateSymbolicLink(target, file);
            else File.Copy(file, target);
        }
    }

    public void Dispose() => temp.Dispose();
}
