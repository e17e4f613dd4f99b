namespace Workbench.Training;

/// <summary>A checkpoint does not fit the model it is loaded into (a different architecture or size).</summary>
public sealed class CheckpointMismatchException(string file, string parameter, string expected, string found)
    : Exception($"{file}: the checkpoint does not fit this model: '{parameter}' is {found} in the checkpoint " +
                           $"but {expected} in the model. Build the model with the configuration the checkpoint was trained with.")
{
    /// <summary>The checkpoint file.</summary>
    public string File { get; } = file;

    /// <summary>The first parameter or buffer that does not match.</summary>
    public string Parameter { get; } = parameter;

    /// <summary>What the model has (a shape like <c>[64, 8] float32</c>, or <c>absent</c>).</summary>
    public string Expected { get; } = expected;

    /// <summary>What the checkpoint holds.</summary>
    public string Found { get; } = found;
}
