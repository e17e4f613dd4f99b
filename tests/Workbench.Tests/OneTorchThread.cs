namespace Workbench.Tests;

/// <summary>
/// Environment for the LibTorch processes tests start (the CLI, notebook kernels, F# Interactive): one intra-op
/// thread. xunit runs two test classes at once on a two-core machine, and with two threads per process OpenMP threads
/// spin at barriers waiting for a core another process holds: a one-step `bench data` took 37 s instead of 5 that way.
/// The models here are small, so the second thread gains little when the machine is idle.
/// </summary>
public static class OneTorchThread
{
    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" };
}
