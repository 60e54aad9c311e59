using System.Diagnostics.Metrics;
using Quiver.Fetching;

namespace Quiver.Cluster.Telemetry;

/// <summary>
/// What a silo reports to operators, through System.Diagnostics.Metrics (exported by OpenTelemetry
/// as Prometheus or OTLP): pages and errors by kind, requests in flight, stale commits rejected,
/// active hosts and the cluster's open frontier.
/// </summary>
public sealed class ClusterMetrics : IDisposable
{
    /// <summary>The meter's name, to subscribe to (OpenTelemetry's AddMeter, dotnet-counters).</summary>
    public const string MeterName = "Quiver.Cluster";

    private readonly Meter _meter;
    private readonly Counter<long> _pages;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _rejected;
    private long _inFlight;
    private long _fetched;
    private long _activeHosts;
    private long _frontierOpen;

    public ClusterMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _pages = _meter.CreateCounter<long>("quiver.cluster.pages", "{page}", "Pages fetched and committed by this silo.");
        _errors = _meter.CreateCounter<long>("quiver.cluster.errors", "{page}", "Committed pages that failed, by error kind.");
        _rejected = _meter.CreateCounter<long>("quiver.cluster.commits.rejected", "{page}", "Fetches whose commit was refused: the lease was stale or the URL already done.");
        _meter.CreateObservableGauge("quiver.cluster.in_flight", () => Interlocked.Read(ref _inFlight), "{request}", "Requests this silo has on the wire.");
        _meter.CreateObservableGauge("quiver.cluster.hosts.active", () => Interlocked.Read(ref _activeHosts), "{host}", "Host grains active on this silo.");
        _meter.CreateObservableGauge("quiver.cluster.frontier.open", () => Interlocked.Read(ref _frontierOpen), "{url}", "URLs of running jobs not yet done, cluster-wide (as of the last sweep).");
    }

    /// <summary>Pages this silo committed since it started.</summary>
    public long Fetched => Interlocked.Read(ref _fetched);

    public long InFlight => Interlocked.Read(ref _inFlight);

    public long ActiveHosts => Interlocked.Read(ref _activeHosts);

    internal void RequestStarted() => Interlocked.Increment(ref _inFlight);

    internal void RequestEnded() => Interlocked.Decrement(ref _inFlight);

    internal void HostActivated() => Interlocked.Increment(ref _activeHosts);

    internal void HostDeactivated() => Interlocked.Decrement(ref _activeHosts);

    internal void FrontierOpen(long open) => Interlocked.Exchange(ref _frontierOpen, open);

    internal void Committed(FetchResult result)
    {
        Interlocked.Increment(ref _fetched);
        _pages.Add(1);
        if (result.Error is { } kind) _errors.Add(1, new KeyValuePair<string, object?>("kind", kind.ToWireName()));
    }

    internal void Rejected() => _rejected.Add(1);

    public void Dispose() => _meter.Dispose();
}
