using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using TorchSharp;
using Workbench.Models;
using Workbench.Models.Clip;
using Workbench.Models.Flamingo;
using Workbench.Models.Language;
using Workbench.Runtime;
using static TorchSharp.torch;

namespace Workbench.Tests.Runtime;

/// <summary>
/// Tests that count the Scalars the garbage collector finalises: the count is the process's, so classes in this
/// collection run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FinalisedScalarsAlone
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Scalars finalised in the process";
}

[Collection(FinalisedScalarsAlone.Name)]
public sealed class HeldScalarsTests
{
    /// <summary>
    /// Counts the runtime's FinalizeObject events for TorchSharp's Scalar (the event names the object's type by its handle).
    /// The events reach a listener a moment after they happen, so each is counted by its own time stamp, not by when it arrives.
    /// </summary>
    sealed class FinalisedScalars : EventListener
    {
        static readonly nint ScalarType = typeof(Scalar).TypeHandle.Value;
        readonly ConcurrentQueue<DateTime> finalised = new();
        long latestEventTicks;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);   // GC
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.TimeStamp.Ticks > Interlocked.Read(ref latestEventTicks)) Interlocked.Exchange(ref latestEventTicks, e.TimeStamp.Ticks);
            if (e.EventName != "FinalizeObject" || e.Payload is not { Count: > 0 } payload) return;
            nint type = payload[0] switch { nint p => p, ulong u => (nint)u, var other => (nint)Convert.ToInt64(other) };
            if (type == ScalarType) finalised.Enqueue(e.TimeStamp.ToUniversalTime());
        }

        /// <summary>The Scalars finalised because of <paramref name="work"/>: everything collected before it, and after it.</summary>
        public int During(Action work)
        {
            Collect();
            var from = DateTime.UtcNow;
            work();
            Collect();
            var to = DateTime.UtcNow;
            // A later collection's own events mark that everything up to `to` has arrived.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (Interlocked.Read(ref latestEventTicks) <= to.Ticks && DateTime.UtcNow < deadline)
            {
                GC.Collect();
                Thread.Sleep(50);
            }
            Assert.True(Interlocked.Read(ref latestEventTicks) > to.Ticks, "the runtime's GC events did not arrive");
            return finalised.Count(t => t >= from && t <= to);
        }

        static void Collect()
        {
            for (int i = 0; i < 2; i++) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        }
    }

    [Fact]
    public void PlusIsTheSumWithBroadcastingAndItsGradients()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]).requires_grad_();
        var b = tensor(new float[] { 10, 20, 30 }, [3]).requires_grad_();
        var sum = a.Plus(b);
        Assert.Equal(new float[] { 11, 22, 33, 14, 25, 36 }, sum.data<float>().ToArray());
        (sum * tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3])).sum().backward();
        // d/da is the weight itself; d/db sums it over the broadcast rows: (1 + 4, 2 + 5, 3 + 6).
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, a.grad!.data<float>().ToArray());
        Assert.Equal(new float[] { 5, 7, 9 }, b.grad!.data<float>().ToArray());
    }

    [Fact]
    public void TheResidualStreamsOfEveryMethodMakeNoScalarOnTheFlyWhileTorchSharpsPlusMakesOneASum()
    {
        using var listener = new FinalisedScalars();
        manual_seed(3);
        using var x = randn(2, 5, 8);
        using var y = randn(2, 5, 8);
        // The control: the counter sees TorchSharp's own sum make one Scalar each time.
        Assert.Equal(20, listener.During(() => { for (int i = 0; i < 20; i++) using (var s = x + y) { } }));
        Assert.Equal(0, listener.During(() => { for (int i = 0; i < 20; i++) using (var s = x.Plus(y)) { } }));

        using var block = new TransformerBlock(8, 2);
        using var gated = new GatedCrossAttentionBlock(8, 2);
        using var resampler = new PerceiverResampler(inputWidth: 8, width: 8, depth: 1, latentCount: 2, heads: 2, maxFrames: 1, maxPatches: 4);
        using var floatMask = TextTransformer.CausalMask(5, ScalarType.Float32, CPU);
        using var boolMask = GptModel.CausalMask(5, 0, null, CPU);
        using var media = randn(2, 4, 8);
        using var sees = ones(2, 1, 5, 4, dtype: ScalarType.Bool);
        using var hasImage = ones(2, 5, 1);
        using var features = randn(2, 4, 8);   // one still image of 4 patches per row
        void Step(Func<Tensor> forward)
        {
            using var scope = NewDisposeScope();
            forward().sum().backward();
        }
        foreach (var precision in new[] { Precision.Fp32, Precision.Bf16Mixed })
        {
            using var arithmetic = MixedPrecision.Use(precision);
            Assert.Equal(0, listener.During(() => { for (int i = 0; i < 10; i++) Step(() => block.forward(x.requires_grad_(true), floatMask)); }));
            Assert.Equal(0, listener.During(() => { for (int i = 0; i < 10; i++) Step(() => block.forward(x, boolMask)); }));
            Assert.Equal(0, listener.During(() => { for (int i = 0; i < 10; i++) Step(() => gated.forward(x, media, sees, hasImage)); }));
            Assert.Equal(0, listener.During(() => { for (int i = 0; i < 10; i++) Step(() => resampler.forward(features)); }));
        }
    }
}
