using System.Runtime.InteropServices;
using TorchSharp;
using Workbench.Models;
using Workbench.Runtime;
using Workbench.Training;
using static TorchSharp.torch;

namespace Workbench.Tests.Runtime;

/// <summary>
/// Workbench.dll's module initializer tunes glibc's allocator in every process that loads it (this test host
/// included): a block of the size of a step's activations comes from the heap and goes back to it, instead of a fresh
/// <c>mmap</c> whose pages the next step faults in one by one.
/// </summary>
[Collection(ProcessMemoryAlone.Name)]
public sealed class NativeAllocatorTests
{
    /// <summary>glibc's <c>struct mallinfo2</c> (glibc 2.33 and later): ten <c>size_t</c> fields.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    static extern MallInfo2 Mallinfo2();

    [Fact]
    public void ABlockOfSixteenMegabytesComesFromTheHeapNotFromAFreshMapping()
    {
        Assert.True(OperatingSystem.IsLinux(), "glibc's allocator is tuned on Linux");
        Assert.True(NativeAllocator.Tuned, NativeAllocator.State);

        // Hblkhd counts the bytes glibc holds in mmap'ed blocks. In a fresh untuned process a 16 MiB malloc is one (the
        // default threshold is 128 KiB; glibc raises it only after freeing a larger mapped block, and then also trims the
        // heap top at twice that); tuned, it is carved from the heap. The assertion above is the one that tells whether
        // this process was tuned; this one checks that the tuning does what it is for.
        nuint mappedBefore = Mallinfo2().Hblkhd;
        IntPtr block = Marshal.AllocHGlobal(16 << 20);
        try
        {
            Marshal.WriteByte(block, (16 << 20) - 1, 1);
            nuint mappedDuring = Mallinfo2().Hblkhd;
            Assert.True(mappedDuring < mappedBefore + (16u << 20),
                $"the 16 MiB block was mmap'ed: glibc's mapped bytes went from {mappedBefore} to {mappedDuring} ({NativeAllocator.State})");
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }
    }

    [Fact]
    public void ReleaseFreeMemoryGivesWhatDisposedTensorsFreedBackToTheSystem()
    {
        Assert.True(NativeAllocator.Tuned, NativeAllocator.State);
        NativeAllocator.ReleaseFreeMemory();
        // 256 MiB of tensors in 1 MiB blocks (heap blocks under the tuned mmap threshold), written so that their pages are
        // resident, then disposed: the tuned trim threshold (1 GiB) keeps the freed heap in the process for the next step.
        var tensors = Enumerable.Range(0, 256).Select(_ => torch.ones(256 * 1024)).ToList();
        double held = ProcessMemory.CurrentRssMb();
        foreach (var t in tensors) t.Dispose();
        double disposed = ProcessMemory.CurrentRssMb();
        NativeAllocator.ReleaseFreeMemory();
        double released = ProcessMemory.CurrentRssMb();
        Assert.True(disposed - released > 150,
            $"resident: {held:F0} MB holding the tensors, {disposed:F0} MB after disposing them, {released:F0} MB after ReleaseFreeMemory");
    }

    [Fact]
    public void TheStateNamesGlibcAndTheThresholds()
    {
        Assert.StartsWith("glibc ", NativeAllocator.State);
        Assert.Contains($"mmap threshold {NativeAllocator.MmapThreshold >> 20} MiB", NativeAllocator.State);
    }

    /// <summary>A step that holds 256 MiB of activations in 1 MiB blocks; its evaluation notes the resident memory it starts with.</summary>
    sealed class HeavyStepTask : ITrainingTask
    {
        readonly nn.Module<Tensor, Tensor> model = nn.Linear(1, 1);
        public nn.Module Model => model;
        public double HeldInStep { get; private set; }
        public double AtEvaluation { get; private set; }

        public Tensor Loss(long step, int microStep)
        {
            var activations = Enumerable.Range(0, 256).Select(_ => torch.ones(256 * 1024)).ToList();   // freed by the step's dispose scope
            HeldInStep = ProcessMemory.CurrentRssMb();
            return model.forward(torch.ones(1, 1)).sum();
        }

        public IReadOnlyDictionary<string, double>? Evaluate()
        {
            AtEvaluation = ProcessMemory.CurrentRssMb();
            return new Dictionary<string, double> { ["resident_mb"] = AtEvaluation };
        }
    }

    [Fact]
    public void TheTrainerGivesTheStepsFreedMemoryBackBeforeItEvaluates()
    {
        Assert.True(NativeAllocator.Tuned, NativeAllocator.State);
        NativeAllocator.ReleaseFreeMemory();
        var task = new HeavyStepTask();
        using var trainer = new Trainer(new TrainerConfig { Steps = 1, EvalEvery = 1, Precision = Precision.Fp32 }, () => task);
        trainer.Run();
        // The tuned trim threshold would keep the step's 256 MiB in the process through the evaluation.
        Assert.True(task.HeldInStep - task.AtEvaluation > 150,
            $"resident: {task.HeldInStep:F0} MB in the step, {task.AtEvaluation:F0} MB when the evaluation began");
    }
}
