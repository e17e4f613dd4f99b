using System.Diagnostics;

namespace Workbench.Data.Shapes;

/// <summary>Generation speed of ShapesWorld on one thread.</summary>
/// <param name="Samples">Samples generated per repeat.</param>
/// <param name="ImageSize">Image width and height.</param>
/// <param name="RatesPerSecond">Samples per second of each repeat, in order.</param>
/// <param name="MedianPerSecond">The median of the rates.</param>
public sealed record ShapesWorldBenchmarkResult(int Samples, int ImageSize, IReadOnlyList<double> RatesPerSecond, double MedianPerSecond);

/// <summary>Measures how fast ShapesWorld generates samples (pixels, captions and questions) on the calling thread.</summary>
public static class ShapesWorldBenchmark
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Generates samples 0 to <paramref name="samples"/> - 1 of the train split, <paramref name="repeats"/> times, after
    /// a second of untimed warm-up (so that tiered compilation has optimised the hot loops); single-threaded.
    /// </summary>
    /// <param name="samples">Samples per repeat.</param>
    /// <param name="repeats">How many timed repeats.</param>
    /// <param name="config">Image size, objects and seed (the default config if null); its split and counts are replaced.</param>
    public static ShapesWorldBenchmarkResult Measure(int samples = 10_000, int repeats = 5, ShapesWorldConfig? config = null)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), $"need at least one sample, got {samples}");
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), $"need at least one repeat, got {repeats}");
        var world = new ShapesWorld((config ?? new ShapesWorldConfig()) with { Split = Split.Train, TrainCount = samples });
        long checksum = 0;
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < WarmUp) checksum += Generate(world, Math.Min(samples, 500));
        var rates = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            var watch = Stopwatch.StartNew();
            checksum += Generate(world, samples);
            rates[r] = samples / watch.Elapsed.TotalSeconds;
        }
        GC.KeepAlive(checksum);
        var sorted = rates.Order().ToArray();
        double median = repeats % 2 == 1 ? sorted[repeats / 2] : (sorted[repeats / 2 - 1] + sorted[repeats / 2]) / 2;
        return new ShapesWorldBenchmarkResult(samples, world.Config.ImageSize, rates, median);
    }

    /// <summary>Generates samples and folds a little of each into a number, so that none of the work can be skipped.</summary>
    private static long Generate(ShapesWorld world, int samples)
    {
        long checksum = 0;
        for (int i = 0; i < samples; i++)
        {
            var sample = world.Get(i);
            checksum += sample.Image.Pixels[i % sample.Image.Pixels.Length] + sample.Captions[0].Length + sample.Questions.Count;
        }
        return checksum;
    }
}
