using System.Runtime.InteropServices;

namespace Workbench.Runtime;

/// <summary>
/// Tunes glibc's allocator, which LibTorch's CPU tensors come from, so that a training step reuses the memory the step
/// before it freed instead of asking the kernel for fresh pages.
/// <para>
/// By default glibc serves each block above its mmap threshold (128 KiB at first) with a new <c>mmap</c> and gives it back
/// with <c>munmap</c> when freed, so every activation and gradient of every step is first touched page by page: under
/// <c>perf</c>, a bf16-mixed CLIP step spent 15% of its time in the kernel's page-fault handler. Raising the threshold
/// to glibc's maximum (32 MiB on 64-bit) puts those blocks on the heap, and a high trim threshold keeps freed heap
/// memory for the next step. On an AVX-512 BF16 CPU the language model's bf16-mixed step (`workbench bench lm`) ran
/// twice as fast and the reference CLIP's 1.2 to 1.5 times; in fp32 the gain was within run-to-run spread, and peak
/// memory rose 6-15% (docs/benchmarks.md, "bf16-mixed on a CPU with bfloat16 instructions").
/// </para>
/// <para>
/// Applied once per process by Workbench.dll's module initializer, before any tensor exists. It does nothing off glibc
/// (macOS, Windows, musl), and nothing when <c>WORKBENCH_MALLOC=default</c> is set, which keeps glibc's own settings
/// (also the way to compare).
/// </para>
/// </summary>
public static class NativeAllocator
{
    /// <summary>The mmap threshold set: glibc's largest (<c>HEAP_MAX_SIZE / 2</c> on 64-bit).</summary>
    public const int MmapThreshold = 32 * 1024 * 1024;

    /// <summary>How much free memory may stay at the top of the heap before glibc returns it to the kernel.</summary>
    public const int TrimThreshold = 1024 * 1024 * 1024;

    /// <summary>What <see cref="Configure"/> did: "glibc tuned (...)", "glibc defaults (WORKBENCH_MALLOC=default)", or why not.</summary>
    public static string State { get; private set; } = "not configured";

    /// <summary>Whether the tuning is in force in this process.</summary>
    public static bool Tuned { get; private set; }

    static bool configured;

    // mallopt's parameter numbers, from glibc's malloc.h.
    const int M_TRIM_THRESHOLD = -1;
    const int M_MMAP_THRESHOLD = -3;

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int parameter, int value);

    [DllImport("libc", EntryPoint = "gnu_get_libc_version")]
    static extern IntPtr GnuLibcVersion();

    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);

    static bool glibc;

    /// <summary>
    /// Gives back what a finished training left behind, for a process that trains one run after another (a notebook's
    /// runs, a sweep's trials in a notebook): collects the garbage, so that tensors nobody disposed free their native
    /// memory through their finalizers, then asks glibc to return its free heap pages to the kernel (<c>malloc_trim</c>),
    /// which the high trim threshold above otherwise keeps for the next step. Notebook 06, whose seventeen sweep trials
    /// train in its process, peaked at 3.6 GB without it and 2.0-2.1 GB with it, in 6.4 and 6.5-7.0 minutes. Never throws.
    /// </summary>
    public static void ReleaseFreeMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (!glibc) return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            glibc = false;
        }
    }

    /// <summary>Applies the tuning (once; later calls do nothing). Never throws.</summary>
    internal static void Configure()
    {
        if (configured) return;
        configured = true;
        try
        {
            if (!OperatingSystem.IsLinux()) { State = "not glibc (not Linux)"; return; }
            if (string.Equals(Environment.GetEnvironmentVariable("WORKBENCH_MALLOC"), "default", StringComparison.OrdinalIgnoreCase))
            {
                State = "glibc defaults (WORKBENCH_MALLOC=default)";
                return;
            }
            string version = Marshal.PtrToStringAnsi(GnuLibcVersion()) ?? "?";
            glibc = true;
            bool ok = Mallopt(M_MMAP_THRESHOLD, MmapThreshold) == 1 & Mallopt(M_TRIM_THRESHOLD, TrimThreshold) == 1;
            Tuned = ok;
            State = ok
                ? $"glibc {version} tuned (mmap threshold {MmapThreshold >> 20} MiB, trim threshold {TrimThreshold >> 20} MiB)"
                : $"glibc {version} refused mallopt; its defaults stay";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            State = "not glibc (no gnu_get_libc_version or mallopt)";
        }
    }
}
