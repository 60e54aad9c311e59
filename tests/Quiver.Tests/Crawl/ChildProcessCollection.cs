namespace Quiver.Tests.Crawl;

/// <summary>
/// Tests that drive the CLI as child processes under load (thousands of requests, repeated kills):
/// run on their own, so that they neither starve nor are starved by timing-sensitive tests on a small machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChildProcessCollection
{
    public const string Name = "CLI child processes";
}
