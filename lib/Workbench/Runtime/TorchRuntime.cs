using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using TorchSharp;

namespace Workbench.Runtime;

/// <summary>What happened when the workbench loaded TorchSharp's native library.</summary>
/// <param name="NativeLibrary">The <c>libLibTorchSharp</c> file checked, when one was found.</param>
/// <param name="HostLibStdCxx">The C++ runtime this process uses (Linux only).</param>
/// <param name="MissingVersions">Versions the native library asks for that the host C++ runtime lacks.</param>
/// <param name="FixApplied">Whether those versions are marked weak in the native library (by this run or an earlier one).</param>
/// <param name="PatchedNow">Files this run patched.</param>
public sealed record TorchLoadReport(
    string? NativeLibrary,
    string? HostLibStdCxx,
    IReadOnlyList<string> MissingVersions,
    bool FixApplied,
    IReadOnlyList<string> PatchedNow);

/// <summary>TorchSharp's native library could not be loaded; the message names the real cause and the remedy.</summary>
public sealed class TorchLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Loads TorchSharp's native library in any host (CLI, tests, notebooks, a program that uses the library).
/// <para>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> asks for <c>GLIBCXX_3.4.32</c>, which Debian 12's libstdc++ lacks.
/// The only symbol bound to that version is <c>std::ios_base_library_init</c>, a GCC 13 marker no relocation uses,
/// so marking the requirement weak (<c>VER_FLG_WEAK</c>) lets the loader accept the file. The fix is applied only
/// where the host runtime lacks the version; other systems are left alone.
/// </para>
/// <para>
/// The fix does not depend on call order: Workbench.dll's module initializer (<see cref="WorkbenchModuleInitializer"/>)
/// applies it before any code of the library runs, so before any workbench model or tensor can exist.
/// <see cref="EnsureLoaded"/> then loads the library and reports; hosts call it once at their entry (the CLI's
/// <c>Main</c>, <c>Notebook.Setup()</c>) to fail early with one clear message.
/// </para>
/// </summary>
public static class TorchRuntime
{
    /// <summary>Versions required only as link-time markers: safe to mark weak. Anything else missing is a real error.</summary>
    public static readonly IReadOnlySet<string> MarkerVersions = new HashSet<string> { "GLIBCXX_3.4.32" };

    const string NativeFileName = "libLibTorchSharp.so";
    /// <summary>The name TorchSharp's <c>DllImport</c>s ask for.</summary>
    const string NativeImportName = "LibTorchSharp";
    static readonly Lock Gate = new();
    static bool prepared;
    static TorchLoadReport? preparedReport;
    // Why the fix could not be applied, kept for whoever touches TorchSharp next: a module initializer must not throw
    // (the runtime would wrap it in a TypeInitializationException and refuse every type of Workbench.dll thereafter).
    static TorchLoadException? preparationFailure;
    static TorchLoadReport? loaded;

    /// <summary>The report of the successful load, or null before <see cref="EnsureLoaded"/> succeeded.</summary>
    public static TorchLoadReport? Report => loaded;

    /// <summary>
    /// Makes sure TorchSharp's native backend is loaded, applying the Debian 12 fix where needed.
    /// Safe to call many times. Throws <see cref="TorchLoadException"/> with the real cause when loading fails.
    /// </summary>
    public static TorchLoadReport EnsureLoaded()
    {
        Prepare();
        lock (Gate)
        {
            if (loaded is not null) return loaded;
            if (preparationFailure is not null) throw new TorchLoadException(preparationFailure.Message, preparationFailure.InnerException);
            var report = preparedReport!;
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is not TorchLoadException)
            {
                throw new TorchLoadException(Explain(report, e), e);
            }
            loaded = report;
            return report;
        }
    }

    /// <summary>
    /// Applies the Debian 12 fix to every copy of the native library TorchSharp may load, once per process, and never
    /// throws: a failure is kept and raised as <see cref="TorchLoadException"/> by <see cref="EnsureLoaded"/> and by
    /// the first TorchSharp call that needs the library (see <see cref="ExplainFailedImport"/>).
    /// </summary>
    internal static void Prepare()
    {
        lock (Gate)
        {
            if (prepared) return;
            prepared = true;
            try
            {
                preparedReport = PrepareNativeLibrary();
            }
            catch (TorchLoadException e)
            {
                preparationFailure = e;
            }
            catch (Exception e)
            {
                preparationFailure = new TorchLoadException(
                    $"The workbench could not check TorchSharp's native library: {e.Message} Run `workbench doctor` for a full report.", e);
            }
            try
            {
                ExplainFailedImportsOfTorchSharp();
            }
            catch (Exception)
            {
                // TorchSharp.dll itself cannot be loaded: its own error says so when it is first used, and the module
                // initializer that called this must not throw.
            }
        }
    }

    /// <summary>
    /// When the dynamic loader cannot find or accept <c>libLibTorchSharp</c> for one of TorchSharp's
    /// <c>DllImport</c>s (building a model calls one first), .NET asks this handler last, before it would throw a
    /// <see cref="DllNotFoundException"/> that blames the file's absence.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // typeof(torch) loads TorchSharp.dll: keep that inside Prepare's catch.
    static void ExplainFailedImportsOfTorchSharp()
    {
        var torchSharp = typeof(torch).Assembly;
        var context = AssemblyLoadContext.GetLoadContext(torchSharp) ?? AssemblyLoadContext.Default;
        context.ResolvingUnmanagedDll += (assembly, name) => assembly == torchSharp ? ExplainFailedImport(name) : IntPtr.Zero;
    }

    /// <summary>
    /// Turns a failed load of TorchSharp's native library into the <see cref="TorchLoadException"/> that says why,
    /// when the fix could not be applied; otherwise leaves .NET's own error (which lists the loader's reasons).
    /// </summary>
    internal static IntPtr ExplainFailedImport(string name)
    {
        // No lock: TorchSharp may be loading under its type initializer on another thread while EnsureLoaded holds Gate.
        if (name == NativeImportName && Volatile.Read(ref preparationFailure) is { } failure)
            throw new TorchLoadException(failure.Message, failure.InnerException);
        return IntPtr.Zero;
    }

    /// <summary>Checks (and where needed fixes) every copy of the native library TorchSharp may load.</summary>
    static TorchLoadReport PrepareNativeLibrary()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            return new TorchLoadReport(null, null, [], false, []);

        string? hostStdCxx = FindHostLibStdCxx();
        var defined = hostStdCxx is null ? null : ElfSymbolVersions.ReadDefined(hostStdCxx);
        string? first = null;
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var patched = new List<string>();

        foreach (var path in CandidateNativePaths().Where(File.Exists))
        {
            first ??= path;
            if (defined is null) continue;
            var lacking = MissingVersions(path, hostStdCxx!, defined);
            foreach (var n in lacking) missing.Add(n.Version);
            if (lacking.Any(n => !n.IsWeak))
            {
                PatchAtomically(path, lacking.Select(n => n.Version).ToHashSet());
                patched.Add(path);
            }
        }
        return new TorchLoadReport(first, hostStdCxx, missing.ToList(), missing.Count > 0, patched);
    }

    /// <summary>
    /// The versions a native library needs from libstdc++ that the host's libstdc++ lacks. Throws
    /// <see cref="TorchLoadException"/> naming them when any is not a known marker (the fix cannot help then).
    /// </summary>
    internal static IReadOnlyList<NeededVersion> MissingVersions(string nativePath, string hostStdCxx, IReadOnlySet<string> defined)
    {
        var lacking = ElfSymbolVersions.ReadNeeded(nativePath)
            .Where(n => n.Library.StartsWith("libstdc++", StringComparison.Ordinal) && !defined.Contains(n.Version))
            .ToList();
        var fatal = lacking.Where(n => !MarkerVersions.Contains(n.Version)).Select(n => n.Version).Distinct().ToList();
        if (fatal.Count > 0)
            throw new TorchLoadException(
                $"TorchSharp's native library {nativePath} needs {string.Join(", ", fatal)} from the C++ runtime, " +
                $"but this system's {hostStdCxx} does not provide {(fatal.Count == 1 ? "it" : "them")}. " +
                "Install a newer libstdc++ (GCC 13 or later) or use an operating system released after 2023.");
        return lacking;
    }

    /// <summary>Patches a copy and renames it over the original, so a process that has the old file mapped is unaffected.</summary>
    static void PatchAtomically(string path, IReadOnlyCollection<string> versions)
    {
        string temp = path + $".patch-{Environment.ProcessId}.tmp";
        try
        {
            File.Copy(path, temp, overwrite: true);
            ElfSymbolVersions.MarkWeak(temp, versions);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new TorchLoadException(
                $"TorchSharp's native library {path} needs {string.Join(", ", versions)}, which this system's C++ runtime lacks, " +
                $"and the workbench could not apply its fix because the file cannot be written ({e.Message}). " +
                "Run `workbench doctor` once as a user who can write it.", e);
        }
    }

    /// <summary>Every place TorchSharp looks for its native library: the application folder, and its NuGet package folders.</summary>
    internal static IEnumerable<string> CandidateNativePaths()
    {
        var dirs = new List<string> { AppContext.BaseDirectory };
        string? torchDir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchDir))
        {
            dirs.Add(torchDir);
            // In notebook hosts TorchSharp.dll loads from .../torchsharp/<version>/lib/net8.0/ and the natives are
            // consolidated into .../lib/net8.0/cpu/ from .../torchsharp/<version>/runtimes/linux-x64/native/.
            dirs.Add(Path.Combine(torchDir, "cpu"));
            dirs.Add(Path.GetFullPath(Path.Combine(torchDir, "..", "..")));
        }
        foreach (var dir in dirs.Distinct())
        {
            yield return Path.Combine(dir, NativeFileName);
            yield return Path.Combine(dir, "runtimes", "linux-x64", "native", NativeFileName);
        }
    }

    /// <summary>The libstdc++ this process has mapped (the .NET runtime links it), else the usual system paths.</summary>
    internal static string? FindHostLibStdCxx()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.Contains("libstdc++.so", StringComparison.Ordinal))
                    return line[slash..].Trim();
            }
        }
        catch (IOException) { }
        string[] known = ["/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                          "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/lib/aarch64-linux-gnu/libstdc++.so.6"];
        return known.FirstOrDefault(File.Exists);
    }

    static string Explain(TorchLoadReport report, Exception e)
    {
        var lines = new List<string> { "TorchSharp's native library could not be loaded." };
        if (report.NativeLibrary is null)
            lines.Add("No libLibTorchSharp was found next to the application or in the TorchSharp package. " +
                      "Build the workbench first (`dotnet build`), or reference TorchSharp-cpu (or TorchSharp-cuda-linux) in this host.");
        if (report.MissingVersions.Count > 0)
            lines.Add($"Its C++ runtime ({report.HostLibStdCxx}) lacks {string.Join(", ", report.MissingVersions)}; " +
                      (report.FixApplied ? "the workbench marked those weak, so the cause lies elsewhere." : "the fix could not be applied."));
        var first = e.Message.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        lines.Add($"TorchSharp said: {first}");
        lines.Add("Run `workbench doctor` for a full report.");
        return string.Join(Environment.NewLine, lines);
    }
}
