namespace Workbench.Tests;

/// <summary>
/// TorchSharp's random generator is one per process, and xunit runs test classes in parallel: a test that compares two
/// trainings draw for draw (a resumed run against an uninterrupted one) must not share the generator with another
/// class's test. Classes in this collection run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRandomState
{
    /// <summary>The collection's name.</summary>
    public const string Name = "TorchSharp's global random generator";
}
