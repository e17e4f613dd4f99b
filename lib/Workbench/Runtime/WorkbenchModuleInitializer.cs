using System.Runtime.CompilerServices;

namespace Workbench.Runtime;

/// <summary>
/// Runs before any other code of Workbench.dll, in every host: the CLI, tests, a notebook kernel, a program that
/// builds a model without calling anything else first. It applies the Debian 12 fix to TorchSharp's native library
/// (<see cref="TorchRuntime"/>) so that no call order can reach a tensor before it, and tunes glibc's allocator
/// (<see cref="NativeAllocator"/>) before the first tensor is allocated. It never throws: a failure is kept and reported
/// as a <see cref="TorchLoadException"/> by the first call that needs the library.
/// </summary>
static class WorkbenchModuleInitializer
{
    // CA2255 warns that libraries rarely need a module initializer; this is the one precondition every entry shares.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void PrepareTorchSharp()
    {
        NativeAllocator.Configure();
        TorchRuntime.Prepare();
    }
}
