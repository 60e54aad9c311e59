using Orleans.Concurrency;

namespace Quiver.Cluster.Grains;

/// <summary>
/// One host of one job (key "job/host"), cluster-wide: the single owner of that host's politeness
/// clock, robots.txt, error budget and window of leased URLs. Calls are one-way nudges; the grain
/// reads what to do from the frontier, so a lost nudge costs only time (the sweeper nudges again).
/// </summary>
public interface IHostGrain : IGrainWithStringKey
{
    /// <summary>The host may have new work: lease up to the window and hand it to this silo's fetch pool.</summary>
    [OneWay]
    Task Wake();

    /// <summary>One leased URL of this activation is finished (committed, or rejected as stale).</summary>
    [OneWay]
    Task Completed(long epoch);
}
