using TorchSharp;
using Workbench.Runtime;

namespace Workbench.Tests.Runtime;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void TensorsComputeAfterLoading()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        var b = torch.tensor(new float[] { 5, 6, 7, 8 }).reshape(2, 2);
        // Worked by hand: [[1*5+2*7, 1*6+2*8], [3*5+4*7, 3*6+4*8]].
        Assert.Equal(new float[] { 19, 22, 43, 50 }, a.matmul(b).data<float>().ToArray());
    }

    [Fact]
    public void ReportSaysWhetherTheFixWasNeeded()
    {
        var report = TorchRuntime.EnsureLoaded();
        if (report.HostLibStdCxx is { } host && report.NativeLibrary is { } native)
        {
            var defined = ElfSymbolVersions.ReadDefined(host);
            bool needsFix = ElfSymbolVersions.ReadNeeded(native).Any(n => n.Library.StartsWith("libstdc++") && !defined.Contains(n.Version));
            Assert.Equal(needsFix, report.FixApplied);
            if (needsFix)
                Assert.All(ElfSymbolVersions.ReadNeeded(native).Where(n => !defined.Contains(n.Version) && n.Library.StartsWith("libstdc++")),
                           n => Assert.True(n.IsWeak));
        }
    }

    [Fact]
    public void DeviceDefaultsToCpuWithoutCuda()
    {
        Assert.Equal(DeviceType.CPU, ComputeDevice.Resolve(null).type);
        Assert.Equal(DeviceType.CPU, ComputeDevice.Resolve("cpu").type);
        if (!ComputeDevice.CudaAvailable)
        {
            var e = Assert.Throws<InvalidOperationException>(() => ComputeDevice.Resolve("cuda"));
            Assert.Contains("CUDA is not available", e.Message);
        }
    }

    [Fact]
    public void DoctorReportsVersionsAndExitsZero()
    {
        var result = Cli.Run("doctor");
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("TorchSharp", result.Stdout);
        Assert.Contains("0.107", result.Stdout);
        Assert.Contains("LibTorch", result.Stdout);
        Assert.Contains("threads", result.Stdout);
        Assert.Contains("native fix", result.Stdout);
        Assert.Contains("tensor check: ones(2,2).sum() = 4", result.Stdout);
    }
}

public sealed class NativeDiagnosisTests
{
    static (string Native, string Host) RealFiles()
    {
        string native = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        string? host = TorchRuntime.FindHostLibStdCxx();
        Skip.IfNot(File.Exists(native) && host is not null, "Linux x64 only");
        return (native, host!);
    }

    [SkippableFact]
    public void AMissingVersionOtherThanTheMarkerIsNamedWithTheRuntime()
    {
        var (native, host) = RealFiles();
        using var temp = new TempFolder();
        // A C++ runtime that lacks GLIBCXX_3.4.29 (which TorchSharp really binds symbols to): rename it in the string table.
        string fakeHost = temp["libstdc++.so.6"];
        File.WriteAllBytes(fakeHost, ElfEdits.RenameVersion(File.ReadAllBytes(host), "GLIBCXX_3.4.29", "GLIBCXX_9.9.99"));

        var e = Assert.Throws<TorchLoadException>(() =>
            TorchRuntime.MissingVersions(native, fakeHost, ElfSymbolVersions.ReadDefined(fakeHost)));

        Assert.Contains("GLIBCXX_3.4.29", e.Message);
        Assert.Contains(fakeHost, e.Message);
        Assert.DoesNotContain("GLIBCXX_3.4.32", e.Message); // the marker is fixable, so it is not blamed
    }

    [SkippableFact]
    public void OnlyTheMarkerIsMissingOnThisHostOrNothing()
    {
        var (native, host) = RealFiles();
        var lacking = TorchRuntime.MissingVersions(native, host, ElfSymbolVersions.ReadDefined(host));
        Assert.All(lacking, n => Assert.Contains(n.Version, TorchRuntime.MarkerVersions));
    }
}
