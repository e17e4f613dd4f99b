namespace Workbench.Tests;

/// <summary>
/// Tests that read the process's resident memory: xunit runs test classes in parallel, and another class's tensors would
/// move the figure. Classes in this collection run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryAlone
{
    /// <summary>The collection's name.</summary>
    public const string Name = "the process's resident memory";
}
