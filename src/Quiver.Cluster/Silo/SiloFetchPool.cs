using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quiver.Cluster.Frontier;
using Quiver.Cluster.Grains;
using Quiver.Cluster.Jobs;
using Quiver.Cluster.Telemetry;
using Quiver.Crawl;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Output;
using Quiver.Resilience;

namespace Quiver.Cluster.Silo;

/// <summary>
/// This silo's fetching, outside grain turns: the library's <see cref="Fetcher"/> (one per silo, so
/// connections pool per host), its <see cref="PageInspector"/> for links and robots.txt bodies, and
/// a width of requests in flight (<see cref="ClusterSiloOptions.Concurrency"/>), as the single-machine
/// crawler has. Host grains hand it their leased URLs; each URL waits for its host's turn, then for
/// a slot, is fetched, and is committed to PostgreSQL with the links it revealed, in one transaction.
/// </summary>
internal sealed partial class SiloFetchPool : IHostedService, IDisposable
{
    private readonly ClusterSiloOptions _options;
    private readonly PostgresFrontier _frontier;
    private readonly IGrainFactory _grains;
    private readonly ClusterMetrics _metrics;
    private readonly ILogger<SiloFetchPool> _log;
    private readonly PageInspector _inspector;
    private readonly Fetcher _fetcher;
    private readonly FetchRetryPipeline _retry;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _visits = new();
    private int _disposed;

    public SiloFetchPool(ClusterSiloOptions options, PostgresFrontier frontier, IGrainFactory grains, ClusterMetrics metrics, ILocalSiloDetails silo, ILogger<SiloFetchPool> log)
    {
        _options = options.Validate();
        _frontier = frontier;
        _grains = grains;
        _metrics = metrics;
        _log = log;
        SiloName = silo.SiloAddress.ToParsableString();
        _inspector = new PageInspector(Crawler.ProductToken(options.Fetch.UserAgent));
        // As in the single-machine crawler: links come from the inspector, a redirect to another host
        // is admitted for that host's own grain, and retries are taken here, each in the host's turn.
        _fetcher = new Fetcher(options.Fetch with { ExtractLinks = false, RedirectsStayOnHost = true, Retry = null, SaveBodiesDirectory = null }, [_inspector]);
        _retry = new FetchRetryPipeline(options.Fetch.Retry ?? new RetryOptions());
        _slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
    }

    /// <summary>The silo's address as Orleans prints it: the lease owner and result writer this silo records.</summary>
    public string SiloName { get; }

    /// <summary>URLs handed to this pool and not yet finished.</summary>
    public int Pending => _visits.Count;

    /// <summary>Fetches and commits <paramref name="url"/> in the background; tells the grain when done.</summary>
    public void Dispatch(HostWork work, LeasedUrl url)
    {
        var visit = Task.Run(() => VisitAndCommitAsync(work, url), CancellationToken.None);
        _visits.TryAdd(visit, 0);
        _ = visit.ContinueWith(done => _visits.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task VisitAndCommitAsync(HostWork work, LeasedUrl url)
    {
        var stopping = _stopping.Token;
        try
        {
            var wait = work.NotBefore - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, stopping).ConfigureAwait(false);
            var result = await VisitAsync(work, url, stopping).ConfigureAwait(false);
            // A fetch cut short by the stop is no result: the URL stays leased until its lease expires or its host's epoch moves on.
            if (result.Error == FetchErrorKind.Cancelled) return;
            bool crawl = work.Job.Spec.Kind == JobKind.Crawl;
            result.Line = url.Id;
            result.Depth = crawl ? url.Depth : null;
            result.Referrer = url.Referrer;
            var seedHosts = new List<string>();
            if (crawl) await LearnSeedHostAsync(work.Job, url.Url, stopping).ConfigureAwait(false);
            var links = crawl ? Admissions(work.Job, url, result, seedHosts) : [];
            var woken = await _frontier.CommitAsync(url, JsonLinesResultWriter.ToJson(result), SiloName, links, seedHosts, stopping).ConfigureAwait(false);
            if (woken is null)
            {
                _metrics.Rejected();
                return;
            }
            _metrics.Committed(result);
            foreach (string host in woken) _grains.GetGrain<IHostGrain>(GrainKeys.GrainKey(url.Job, host)).Wake().Ignore();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo is stopping; the lease will pass to another activation.
        }
        catch (Exception e)
        {
            // The database was away, most likely: the URL stays leased and is taken again once its lease expires.
            LogCommitFailed(url.Url.AbsoluteUri, e);
        }
        finally
        {
            if (!stopping.IsCancellationRequested) work.Grain.Completed(work.Epoch).Ignore();
        }
    }

    /// <summary>The page's in-scope links (and a redirect's target) to admit, as the single-machine crawler admits them.</summary>
    /// <summary>
    /// A page on a host outside this node's host scope is on a seed's redirect target that another
    /// node found (it could not have been admitted otherwise): this node reads the job's seed hosts
    /// once for that host, so the page's links are judged as the node that saw the redirect judges them.
    /// </summary>
    private async Task LearnSeedHostAsync(JobContext job, Uri page, CancellationToken cancellationToken)
    {
        if (job.Spec.Crawl.Scope != ScopeKind.Host) return;
        lock (job.Scope)
        {
            if (job.Scope.Allows(page) || !job.SeedHostsChecked.Add(page.Host)) return;
        }
        var hosts = await _frontier.SeedHostsAsync(job.Id, cancellationToken).ConfigureAwait(false);
        lock (job.Scope)
        {
            foreach (string host in hosts) job.Scope.AddSeedDestination(new Uri($"http://{host}/"));
        }
    }

    private List<Admission> Admissions(JobContext job, LeasedUrl parent, FetchResult result, List<string> seedHosts)
    {
        var links = new List<Admission>();
        if (result.Error is not null) return links;
        var scope = job.Scope;
        var settings = job.Spec.Crawl;
        var grainScope = job.Spec.GrainScope;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        lock (scope)
        {
            if (parent.Depth == 0 && result.FinalUrl is { } seedFinal)
            {
                var final = new Uri(seedFinal);
                scope.AddSeedDestination(final);
                seedHosts.Add(final.Host);
            }
            if (result.RedirectTo is { } redirect && UrlNormalizer.Normalize(redirect) is { } target)
            {
                // A redirect is not a link followed: its target keeps the redirecting page's depth.
                if (parent.Depth == 0)
                {
                    scope.AddSeedDestination(target);
                    seedHosts.Add(target.Host);
                }
                if (scope.Allows(target) && seen.Add(target.AbsoluteUri))
                    links.Add(new Admission(target.AbsoluteUri, GrainKeys.HostKey(target, grainScope), parent.Depth, parent.Url.AbsoluteUri));
            }
            int depth = parent.Depth + 1;
            if (_inspector.FactsFor(result) is { NoFollow: false } facts && !(settings.MaxDepth is { } maxDepth && depth > maxDepth))
            {
                foreach (var link in facts.Links)
                {
                    if (scope.Allows(link) && seen.Add(link.AbsoluteUri))
                        links.Add(new Admission(link.AbsoluteUri, GrainKeys.HostKey(link, grainScope), depth, parent.Url.AbsoluteUri));
                }
            }
        }
        return links;
    }

    private Task<FetchResult> VisitAsync(HostWork work, LeasedUrl url, CancellationToken cancellationToken) =>
        HostVisit.VisitAsync(work.Gate, url.Id, url.Url, work.Job.Politeness.RespectRobots, FetchPoliteAsync, _inspector, cancellationToken);

    /// <summary>One fetch with retries, each attempt taking the host's turn, and a slot of this silo's width only while it runs.</summary>
    private ValueTask<FetchResult> FetchPoliteAsync(PoliteHost host, UrlRequest request, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(async token =>
        {
            using var turn = await host.WaitTurnAsync(token).ConfigureAwait(false);
            await _slots.WaitAsync(token).ConfigureAwait(false);
            _metrics.RequestStarted();
            try
            {
                var result = await _fetcher.FetchAsync(request, token).ConfigureAwait(false);
                host.Observe(result, _retry.Options.MaxRetryAfter);
                return result;
            }
            finally
            {
                _metrics.RequestEnded();
                _slots.Release();
            }
        }, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops fetching: requests in flight are cancelled, their URLs stay leased and pass to whoever leases them next.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_visits.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A kill (a cancelled stop) does not wait for the visits to notice.
        }
    }

    // Disposed twice by the container (as itself and as the hosted service it is registered as): the second time does nothing.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stopping.Cancel();
        _fetcher.Dispose();
        _slots.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "commit of {Url} failed; its lease will expire and it will be fetched again")]
    private partial void LogCommitFailed(string url, Exception exception);
}
