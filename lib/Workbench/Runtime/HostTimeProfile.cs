using System.Globalization;

namespace Workbench.Runtime;

/// <summary>Whose code a CPU sample landed in.</summary>
public enum CodeOwner
{
    /// <summary>The .NET side: managed code (the workbench, TorchSharp), the runtime and its JIT, TorchSharp's native glue.</summary>
    Host,
    /// <summary>LibTorch: its libraries (dispatch and kernels), OpenMP, and the kernels oneDNN generates at run time.</summary>
    LibTorch,
    /// <summary>The C and C++ libraries, the loader and the kernel, which both sides call (allocation, page faults).</summary>
    Shared,
}

/// <summary>One module's share of a thread's samples.</summary>
/// <param name="Module">The module as perf names it (<c>libtorch_cpu.so</c>, <c>memfd:doublemapper (deleted)</c>, ...).</param>
/// <param name="Owner">Whose code it is.</param>
/// <param name="Share">Its share of the thread's samples, 0 to 1.</param>
public sealed record ModuleShare(string Module, CodeOwner Owner, double Share);

/// <summary>Where one thread's time went: its share of the process's samples and each owner's share of its own.</summary>
/// <param name="Thread">The thread as perf names it (<c>28184:dotnet</c>).</param>
/// <param name="ShareOfProcess">The thread's share of every sample in the report, 0 to 1.</param>
/// <param name="Modules">Its modules, largest first, shares of the thread's samples.</param>
public sealed record ThreadProfile(string Thread, double ShareOfProcess, IReadOnlyList<ModuleShare> Modules)
{
    /// <summary>The share of the thread's samples in <paramref name="owner"/>'s code.</summary>
    public double ShareOf(CodeOwner owner) => Modules.Where(m => m.Owner == owner).Sum(m => m.Share);
}

/// <summary>
/// Reads a CPU profile of a training step, grouped by thread and module (<c>perf report --sort pid,dso
/// --field-separator=,</c>), and splits the training thread's time between LibTorch and the .NET host that drives it:
/// a direct measure of the time spent outside LibTorch, where a step at batch 1 only bounds it from above (that step
/// also holds LibTorch's own per-operation dispatch and the optimizer's arithmetic).
/// <para>
/// Which module is whose: .NET's JIT-compiled code lives in a <c>memfd:doublemapper</c> mapping (the runtime maps code
/// twice, writable and executable, unless <c>DOTNET_EnableWriteXorExecute=0</c>), the framework's precompiled code in its
/// <c>.dll</c> files, the runtime in <c>libcoreclr.so</c> and <c>libclrjit.so</c>, TorchSharp's glue in
/// <c>libLibTorchSharp.so</c>. Anonymous executable memory (<c>[JIT] tid N</c> in perf) is then oneDNN's generated
/// matrix-product kernels, LibTorch's. The C library and the kernel serve both sides, so they are kept apart: the host's
/// share is a lower bound of the time outside LibTorch, the host's and theirs together an upper bound.
/// </para>
/// </summary>
public static class HostTimeProfile
{
    /// <summary>Whose code <paramref name="module"/> (a perf dso name) is.</summary>
    public static CodeOwner OwnerOf(string module)
    {
        string m = module.Trim();
        string file = m.StartsWith('[') ? m : Path.GetFileName(m.Split(' ')[0]);
        if (m.TrimStart('/').StartsWith("memfd:doublemapper", StringComparison.Ordinal)) return CodeOwner.Host;
        if (file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) return CodeOwner.Host;
        if (file is "libcoreclr.so" or "libclrjit.so" or "libhostpolicy.so" or "libhostfxr.so" or "libLibTorchSharp.so" or "dotnet") return CodeOwner.Host;
        if (file.StartsWith("libSystem.", StringComparison.Ordinal) || file.StartsWith("libcoreclrtraceptprovider", StringComparison.Ordinal)) return CodeOwner.Host;
        if (m.StartsWith("[JIT]", StringComparison.Ordinal) || m == "[unknown]") return CodeOwner.LibTorch;
        foreach (var prefix in (string[])["libtorch", "libc10", "libgomp", "libiomp", "libmkl", "libdnnl", "libshm", "libfbgemm", "libnnpack", "libsleef"])
            if (file.StartsWith(prefix, StringComparison.Ordinal)) return CodeOwner.LibTorch;
        return CodeOwner.Shared;
    }

    /// <summary>
    /// The rows of <c>perf report --sort pid,dso --field-separator=, --stdio</c>: (thread, module, percent of all samples).
    /// Comment lines and blank lines are skipped; a line that is neither nor a row is an error naming it.
    /// </summary>
    public static IReadOnlyList<(string Thread, string Module, double Percent)> ParsePerfReport(string report)
    {
        var rows = new List<(string, string, double)>();
        foreach (var raw in report.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var fields = line.Split(',', 3).Select(f => f.Trim()).ToArray();
            if (fields.Length != 3 || !fields[0].EndsWith('%')
                || !double.TryParse(fields[0].TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out double percent))
                throw new FormatException($"Not a row of `perf report --sort pid,dso --field-separator=,`: \"{line}\".");
            rows.Add((fields[1], fields[2], percent));
        }
        return rows;
    }

    /// <summary>The thread with the most samples (the training thread of a one-thread step), its modules' shares of its own samples.</summary>
    public static ThreadProfile Busiest(IReadOnlyList<(string Thread, string Module, double Percent)> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("The profile has no samples.", nameof(rows));
        double total = rows.Sum(r => r.Percent);
        var busiest = rows.GroupBy(r => r.Thread).MaxBy(g => g.Sum(r => r.Percent))!;
        double own = busiest.Sum(r => r.Percent);
        var modules = busiest.GroupBy(r => r.Module)
            .Select(g => new ModuleShare(g.Key, OwnerOf(g.Key), g.Sum(r => r.Percent) / own))
            .OrderByDescending(m => m.Share).ToList();
        return new ThreadProfile(busiest.Key, own / total, modules);
    }
}
