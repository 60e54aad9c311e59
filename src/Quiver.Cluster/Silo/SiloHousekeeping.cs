using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quiver.Cluster.Frontier;
using Quiver.Cluster.Grains;
using Quiver.Cluster.Jobs;
using Quiver.Cluster.Telemetry;

namespace Quiver.Cluster.Silo;

/// <summary>
/// What every silo does now and then, off the hot path: writes its heartbeat for <c>cluster status</c>,
/// reads the open frontier's size for its metrics, and wakes the grains of hosts that have work
/// nobody is doing (pending URLs, expired leases). The last is how a host whose grain died with its
/// silo comes back: the wake reactivates it on a live silo, with a new epoch. Every silo does it, so
/// there is no coordinator to lose; the wakes are one-way and idempotent.
/// </summary>
internal sealed partial class SiloHousekeeping(
    ClusterSiloOptions options, PostgresFrontier frontier, SiloFetchPool pool, IGrainFactory grains, ClusterMetrics metrics, ILogger<SiloHousekeeping> log)
    : BackgroundService
{
    private const int MaxWakes = 10_000;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await frontier.HeartbeatAsync(pool.SiloName, _started, metrics.Fetched, (int)metrics.InFlight, (int)metrics.ActiveHosts, stoppingToken).ConfigureAwait(false);
                metrics.FrontierOpen(await frontier.OpenCountAsync(stoppingToken).ConfigureAwait(false));
                foreach (var (job, host) in await frontier.IdleHostsAsync(MaxWakes, stoppingToken).ConfigureAwait(false))
                    grains.GetGrain<IHostGrain>(GrainKeys.GrainKey(job, host)).Wake().Ignore();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "housekeeping sweep failed; trying again next interval")]
    private partial void LogSweepFailed(Exception exception);
}
