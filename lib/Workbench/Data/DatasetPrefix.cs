namespace Workbench.Data;

/// <summary>
/// The first <c>count</c> samples of a data set, as a data set: a smaller training set for a data-size ablation, or the
/// part of a split whose features are cached.
/// </summary>
public sealed class DatasetPrefix : IImageTextDataset
{
    readonly IImageTextDataset data;

    /// <summary>The first <paramref name="count"/> samples of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or more than the data set holds.</exception>
    public DatasetPrefix(IImageTextDataset data, int count)
    {
        if (count < 0 || count > data.Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"{data.Name} holds {data.Count} samples; asked for the first {count}.");
        (this.data, Count) = (data, count);
    }

    /// <inheritdoc />
    public string Name => data.Name;
    /// <inheritdoc />
    public int Count { get; }
    /// <inheritdoc />
    public IReadOnlyList<string>? ClassNames => data.ClassNames;
    /// <inheritdoc />
    public ISceneLanguage? Language => data.Language;
    /// <inheritdoc />
    public Sample Get(int index) => (uint)index < (uint)Count ? data.Get(index)
        : throw new ArgumentOutOfRangeException(nameof(index), $"{Name}: index {index} is outside [0, {Count}).");
    /// <inheritdoc />
    public string IdOf(int index) => data.IdOf(index);
}
