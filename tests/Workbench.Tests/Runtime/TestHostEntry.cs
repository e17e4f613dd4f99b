using System.Runtime.CompilerServices;
using Workbench.Runtime;

namespace Workbench.Tests.Runtime;

/// <summary>
/// The test assembly is a host like the CLI, and a test may touch TorchSharp (<c>torch.randn</c>) before any workbench
/// type. Its entry therefore runs Workbench.dll's module initializer, which applies the Debian 12 fix, before any test.
/// It also pins the presets' precision to fp32 (<see cref="PreferredPrecision"/>), for this process and the CLI processes
/// the tests start: a test's figures must not depend on whether the CPU has bfloat16 instructions. The bf16-mixed paths
/// have tests of their own, which choose it explicitly.
/// </summary>
static class TestHostEntry
{
    // CA2255 warns that libraries rarely need a module initializer; a host's entry is what one is for.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void PrepareTorchSharp()
    {
        RuntimeHelpers.RunModuleConstructor(typeof(TorchRuntime).Module.ModuleHandle);
        Environment.SetEnvironmentVariable(PreferredPrecision.Variable, "fp32");
    }
}
