using Quiver.Cluster.Grains;
using Quiver.Crawl;

namespace Quiver.Cluster.Silo;

/// <summary>
/// The silo-local state of one host grain activation, shared with the fetch pool that does its
/// fetching: the library's <see cref="PoliteHost"/> (politeness gate, robots.txt, error budget,
/// locked as the crawler locks it) and the activation's epoch, which every lease and commit carries.
/// </summary>
internal sealed class HostWork(JobContext job, string hostKey, long epoch, Uri origin, IHostGrain grain, DateTimeOffset notBefore)
{
    public JobContext Job { get; } = job;

    public string HostKey { get; } = hostKey;

    public long Epoch { get; } = epoch;

    public IHostGrain Grain { get; } = grain;

    /// <summary>The gate every request to this host passes on this silo: per-host concurrency and delay, robots.txt, error budget.</summary>
    public PoliteHost Gate { get; } = new(hostKey, origin, job.Politeness);

    /// <summary>
    /// A new activation waits one delay before its first request: the activation before it, on a
    /// silo that just died, may have sent one a moment ago.
    /// </summary>
    public DateTimeOffset NotBefore { get; } = notBefore;
}
