namespace Quiver.Tests.SimWeb;

/// <summary>Tests that compare measured times with computed ones run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
