using Quiver.Cluster.Frontier;
using Quiver.Cluster.Jobs;
using Quiver.Cluster.Silo;
using Quiver.Cluster.Telemetry;

namespace Quiver.Cluster.Grains;

/// <summary>
/// The one owner of a host's work, wherever in the cluster it is active. An activation takes a new
/// epoch in PostgreSQL, then keeps a bounded window of the host's URLs leased and handed to its own
/// silo's fetch pool; it does no I/O to the host itself, so its turns stay short. Orleans runs one
/// activation per key; if two ever run (a split), the older epoch's commits are rejected by the SQL.
/// </summary>
/// <remarks>
/// Placed at random rather than by Orleans' default (resource-optimised, which prefers the calling
/// silo when loads look alike): a host is woken mostly by the node that found a link to it, so the
/// default piled a crawl's hosts onto the nodes that started it. Every node has the same fixed width,
/// so an even spread of hosts is what uses them all.
/// </remarks>
[Orleans.Placement.RandomPlacement]
internal sealed class HostGrain(PostgresFrontier frontier, SiloFetchPool pool, JobCatalog jobs, ClusterSiloOptions options, ClusterMetrics metrics)
    : Grain, IHostGrain
{
    private JobContext? _job;
    private string _hostKey = "";
    private long _epoch;
    private DateTimeOffset _notBefore;
    private HostWork? _work;
    private int _inFlight;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (long job, _hostKey) = GrainKeys.Parse(this.GetPrimaryKeyString());
        _job = await jobs.GetAsync(job, cancellationToken).ConfigureAwait(true);
        _epoch = await frontier.ActivateHostAsync(job, _hostKey, pool.SiloName, cancellationToken).ConfigureAwait(true);
        _notBefore = DateTimeOffset.UtcNow + _job.Politeness.PerHostDelay;
        metrics.HostActivated();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.HostDeactivated();
        return Task.CompletedTask;
    }

    public Task Wake() => TopUpAsync();

    public Task Completed(long epoch)
    {
        // A completion for an earlier activation's lease does not free this one's window.
        if (epoch == _epoch && _inFlight > 0) _inFlight--;
        return TopUpAsync();
    }

    /// <summary>Leases the host's next URLs until the window is full, oldest first, and hands them to the fetch pool.</summary>
    private async Task TopUpAsync()
    {
        var job = _job!;
        int window = options.HostWindow + job.Politeness.PerHostConcurrency;
        int free = window - _inFlight;
        if (free <= 0) return;
        var leased = await frontier.LeaseAsync(job.Id, _hostKey, _epoch, pool.SiloName, free, options.LeaseDuration, CancellationToken.None).ConfigureAwait(true);
        if (leased.Count == 0) return;
        // The gate is made with the first URL leased: its scheme and authority are where robots.txt lives.
        _work ??= new HostWork(job, _hostKey, _epoch, new Uri(leased[0].Url.GetLeftPart(UriPartial.Authority) + "/"), this.AsReference<IHostGrain>(), _notBefore);
        _inFlight += leased.Count;
        foreach (var url in leased) pool.Dispatch(_work, url);
    }
}
