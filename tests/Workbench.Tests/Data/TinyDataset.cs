using Workbench.Data;

namespace Workbench.Tests.Data;

/// <summary>A few 2x2 samples whose pixels encode their index: enough to test loaders and caches.</summary>
public sealed class TinyDataset(int count, string name = "tiny", int salt = 0) : IImageTextDataset
{
    public string Name => name;
    public int Count => count;
    public IReadOnlyList<string>? ClassNames => null;

    public Sample Get(int index)
    {
        var pixels = Enumerable.Range(0, 12).Select(i => (byte)((index * 7 + i + salt) % 256)).ToArray();
        return new Sample($"{name}/{index}", new RgbImage(2, 2, pixels), [$"sample {index}", $"item {index}"], []);
    }
}
