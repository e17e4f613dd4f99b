using System.Runtime.InteropServices;
using Workbench.Runtime;
using static TorchSharp.torch;

namespace Workbench.Tests.Runtime;

/// <summary>
/// <c>workbench bench host</c> splits a perf profile of the training thread between LibTorch and the .NET host by module
/// (<see cref="HostTimeProfile"/>): the split is only as good as the module table, so it is checked against the modules
/// this very process has mapped, and the arithmetic against a report worked by hand.
/// </summary>
public sealed class HostTimeProfileTests
{
    [Theory]
    [InlineData("memfd:doublemapper (deleted)", CodeOwner.Host)]     // JIT-compiled managed code under W^X
    [InlineData("/memfd:doublemapper (deleted)", CodeOwner.Host)]    // as /proc/PID/maps names it
    [InlineData("System.Private.CoreLib.dll", CodeOwner.Host)]       // precompiled framework code
    [InlineData("libcoreclr.so", CodeOwner.Host)]
    [InlineData("libclrjit.so", CodeOwner.Host)]
    [InlineData("libSystem.Native.so", CodeOwner.Host)]
    [InlineData("libLibTorchSharp.so", CodeOwner.Host)]              // TorchSharp's glue: outside LibTorch
    [InlineData("/work/artifacts/workbench/libLibTorchSharp.so", CodeOwner.Host)]
    [InlineData("[JIT] tid 28742", CodeOwner.LibTorch)]              // oneDNN's generated kernels
    [InlineData("libtorch_cpu.so", CodeOwner.LibTorch)]
    [InlineData("libc10.so", CodeOwner.LibTorch)]
    [InlineData("libgomp-98b21ff3.so.1", CodeOwner.LibTorch)]
    [InlineData("libc.so.6", CodeOwner.Shared)]
    [InlineData("libstdc++.so.6.0.30", CodeOwner.Shared)]
    [InlineData("ld-linux-x86-64.so.2", CodeOwner.Shared)]
    [InlineData("[kernel.kallsyms]", CodeOwner.Shared)]
    public void EachModuleHasTheOwnerItsCodeBelongsTo(string module, CodeOwner owner) =>
        Assert.Equal(owner, HostTimeProfile.OwnerOf(module));

    [Fact]
    public void TheModulesThisProcessMapsAreClassedByTheFolderTheyCameFrom()
    {
        using (var t = ones(64, 64)) t.matmul(t).Dispose();   // LibTorch loaded
        var mapped = File.ReadAllLines("/proc/self/maps").Select(l => l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 6 && f[1].Contains('x')).Select(f => f[5].Trim()).Distinct().ToList();

        // Every native library beside LibTorch's is LibTorch's, save TorchSharp's glue; every one of the runtime's is the host's.
        string torchFolder = Path.GetDirectoryName(mapped.Single(p => Path.GetFileName(p) == "libtorch_cpu.so"))!;
        var torchSide = mapped.Where(p => Path.GetDirectoryName(p) == torchFolder && p.Contains(".so")).ToList();
        Assert.Contains(torchSide, p => p.EndsWith("libc10.so"));
        Assert.All(torchSide, p => Assert.Equal(Path.GetFileName(p) == "libLibTorchSharp.so" ? CodeOwner.Host : CodeOwner.LibTorch, HostTimeProfile.OwnerOf(p)));
        string runtimeFolder = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/');
        var runtimeSide = mapped.Where(p => Path.GetDirectoryName(p) == runtimeFolder).ToList();
        Assert.Contains(runtimeSide, p => p.EndsWith("libcoreclr.so"));
        Assert.All(runtimeSide, p => Assert.Equal(CodeOwner.Host, HostTimeProfile.OwnerOf(p)));
        // Managed code runs from the runtime's double mapping (W^X, .NET's default), which is what tells it from oneDNN's kernels.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableWriteXorExecute") != "0")
            Assert.Equal(CodeOwner.Host, HostTimeProfile.OwnerOf(Assert.Single(mapped, p => p.Contains("memfd:doublemapper"))));
    }

    [Fact]
    public void TheBusiestThreadsModulesAreSharesOfItsOwnSamples()
    {
        const string report = """
            # To display the perf.data header info, please use --header/--header-only options.
            #
               45.00% ,  100:dotnet        ,libtorch_cpu.so
               27.00% ,  100:dotnet        ,[JIT] tid 100
                6.00% ,  100:dotnet        ,libc.so.6
                3.00% ,  100:dotnet        ,memfd:doublemapper (deleted)
               15.00% ,  107:.NET Tiered Com,libclrjit.so
                4.00% ,  101:dotnet        ,libgomp-98b21ff3.so.1

            """;
        var rows = HostTimeProfile.ParsePerfReport(report);
        Assert.Equal(6, rows.Count);
        var thread = HostTimeProfile.Busiest(rows);
        // Thread 100 holds 45 + 27 + 6 + 3 = 81 of the 100 percent; its own shares are out of 81.
        Assert.Equal("100:dotnet", thread.Thread);
        Assert.Equal(0.81, thread.ShareOfProcess, 9);
        Assert.Equal(72.0 / 81, thread.ShareOf(CodeOwner.LibTorch), 9);
        Assert.Equal(3.0 / 81, thread.ShareOf(CodeOwner.Host), 9);     // the JIT thread's 15% is not the training thread's
        Assert.Equal(6.0 / 81, thread.ShareOf(CodeOwner.Shared), 9);
        Assert.Equal(["libtorch_cpu.so", "[JIT] tid 100", "libc.so.6", "memfd:doublemapper (deleted)"], thread.Modules.Select(m => m.Module));
    }

    [Fact]
    public void ALineThatIsNotARowIsNamed()
    {
        var e = Assert.Throws<FormatException>(() => HostTimeProfile.ParsePerfReport("  45.00% ,  100:dotnet ,libtorch_cpu.so\nError: no samples\n"));
        Assert.Contains("Error: no samples", e.Message);
        Assert.Throws<ArgumentException>(() => HostTimeProfile.Busiest([]));
    }

    [Fact]
    public void WithoutPerfTheCommandSaysWhatToInstall()
    {
        using var folder = new TempFolder();
        string dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "dotnet")).First(File.Exists);
        var result = Cli.Command(Cli.RepoRoot, TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["PATH"] = folder.Path },
            dotnet, Cli.Dll, "bench", "host", "lm");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("perf", result.Stderr);
        Assert.Contains("not on PATH", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }
}
