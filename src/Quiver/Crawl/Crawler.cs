using System.Collections.Concurrent;
using System.Threading.Channels;
using Quiver.Concurrency;
using Quiver.Crawl.Frontier;
using Quiver.Fetching;
using Quiver.Handlers;
using Quiver.Input;
using Quiver.Output;
using Quiver.Output.Warc;
using Quiver.Resilience;
using Quiver.Running;
using Quiver.State;

namespace Quiver.Crawl;

/// <summary>
/// A polite, retrying, resumable crawl. Each host gets worker loops (as many as its concurrency
/// limit) that lease its URLs from the <see cref="ICrawlFrontier"/> and fetch them through the host's
/// gate; a global limit caps requests in flight. One committer loop hands each finished page's links
/// to the frontier and its result to the <see cref="ICrawlCommitter"/>, which commits them in
/// batches, output before state, so a kill at any point loses only work that was not yet committed
/// and a resume repeats only that.
/// </summary>
public sealed class Crawler : IDisposable
{
    private const int MaxBatch = 256;
    private readonly PolitenessOptions _politeness;
    private readonly ICrawlFrontier _frontier;
    private readonly ICrawlCommitter _committer;
    private readonly RunStatistics _statistics;
    private readonly Fetcher _fetcher;
    private readonly PageInspector _inspector;
    private readonly FetchRetryPipeline _retry;
    private readonly ConcurrencyLimiter _slots;
    private readonly ConcurrentDictionary<string, PoliteHost> _hosts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _workers = new();
    private readonly Channel<Visit> _finished = Channel.CreateUnbounded<Visit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private long _outstanding;
    private CancellationToken _stopping;

    /// <summary>A crawl on the state file's frontier (<see cref="SqliteCrawlFrontier"/>), committing to <paramref name="state"/> (<see cref="SqliteCrawlCommitter"/>).</summary>
    public Crawler(
        CrawlSettings settings, PolitenessOptions politeness, RetryOptions retry, FetchOptions fetch,
        CrawlState state, JsonLinesResultWriter writer, WarcWriter? warc, RunStatistics statistics)
        : this(settings, politeness, retry, fetch, RunStore.Over(state?.Database ?? throw new ArgumentNullException(nameof(state)), writer, warc), statistics)
    {
    }

    /// <summary>
    /// A crawl on a <see cref="RunStore"/>: its state file's frontier (<see cref="SqliteCrawlFrontier"/>),
    /// committing through the store's one commit (<see cref="SqliteCrawlCommitter"/>), recording to its WARC if one is open.
    /// </summary>
    public Crawler(CrawlSettings settings, PolitenessOptions politeness, RetryOptions retry, FetchOptions fetch, RunStore store, RunStatistics statistics)
        : this(SqliteParts(settings, store, out var committer), committer, politeness, retry, fetch, store.Warc, statistics)
    {
    }

    /// <summary>
    /// A crawl on any frontier and commit: the seam a shared, durable store plugs into. The fetcher,
    /// politeness, robots.txt and retries are the same whichever store holds the frontier.
    /// </summary>
    /// <param name="frontier">The seen set and each host's pending URLs; opened when the crawl runs.</param>
    /// <param name="committer">Writes and commits each finished page's result.</param>
    /// <param name="politeness">Per-host delay and concurrency, robots.txt, the error budget.</param>
    /// <param name="retry">Retries of a failed fetch, each attempt taking the host's turn.</param>
    /// <param name="fetch">How each page is fetched.</param>
    /// <param name="warc">Where responses are recorded, when they are; the committer flushes it.</param>
    /// <param name="statistics">Live counters of the run.</param>
    /// <param name="time">The clock of politeness delays and of the floor between idle commits (tests pass a fake one).</param>
    public Crawler(
        ICrawlFrontier frontier, ICrawlCommitter committer, PolitenessOptions politeness, RetryOptions retry, FetchOptions fetch,
        WarcWriter? warc, RunStatistics statistics, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        ArgumentNullException.ThrowIfNull(fetch);
        _frontier = frontier ?? throw new ArgumentNullException(nameof(frontier));
        _committer = committer ?? throw new ArgumentNullException(nameof(committer));
        _politeness = (politeness ?? throw new ArgumentNullException(nameof(politeness))).Validate();
        _statistics = statistics ?? throw new ArgumentNullException(nameof(statistics));
        _retry = new FetchRetryPipeline(retry ?? new RetryOptions());
        _inspector = new PageInspector(ProductToken(fetch.UserAgent));
        List<IResponseHandler> handlers = [_inspector];
        if (warc is not null) handlers.Add(new WarcRecorder(warc));
        // Pages only: a robots.txt answer has no result record, so its saved body would belong to no line.
        if (fetch.SaveBodiesDirectory is { } bodies) handlers.Add(new PageBodies(new BodySaver(bodies)));
        // Link extraction is the inspector's job here; the list-fetch extractor would only bloat records.
        // A redirect to another host is not followed inline: it is queued for that host, so its
        // politeness gate and robots.txt apply to it as to any link.
        // Retries are this crawler's own (each attempt takes the host's turn): none inside the fetcher.
        _fetcher = new Fetcher(fetch with { ExtractLinks = false, RedirectsStayOnHost = true, Retry = null, SaveBodiesDirectory = null }, handlers);
        _slots = ConcurrencyLimiter.Create(politeness.Concurrency, politeness.AdaptiveConcurrency);
    }

    /// <summary>Under <c>--concurrency auto</c>, the global width's path; null for a fixed width.</summary>
    public WidthReport? Width => _slots.Report;

    private static SqliteCrawlFrontier SqliteParts(CrawlSettings settings, RunStore store, out ICrawlCommitter committer)
    {
        ArgumentNullException.ThrowIfNull(store);
        var frontier = new SqliteCrawlFrontier(store.Crawl, settings);
        committer = new SqliteCrawlCommitter(frontier, store);
        return frontier;
    }

    /// <summary>Pages whose results are committed, including those of earlier runs of this crawl.</summary>
    public long Committed { get; private set; }

    /// <summary>Crawls until the frontier is empty or <paramref name="cancellationToken"/> stops it; either way every finished page is committed.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        _stopping = cancellationToken;
        var opening = await _frontier.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        Committed = opening.Done;

        Interlocked.Add(ref _outstanding, opening.Pending.Count);
        if (opening.Pending.Count == 0) _drained.TrySetResult();
        foreach (var item in opening.Pending) Wake(item.Url);

        var committer = Task.Run(() => CommitLoopAsync(), CancellationToken.None);
        var stopped = Task.Delay(Timeout.Infinite, cancellationToken);
        await Task.WhenAny(_drained.Task, committer, stopped).ConfigureAwait(false);

        // Let the workers notice the stop (or find their queues empty), then commit what they finished.
        while (!_workers.IsEmpty)
        {
            try
            {
                await Task.WhenAll(_workers.Keys).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // A stopped worker's unfinished page stays pending for the resume.
            }
        }
        _finished.Writer.TryComplete();
        await committer.ConfigureAwait(false);
        if (_drained.Task.IsCompletedSuccessfully && !cancellationToken.IsCancellationRequested)
            await _committer.FinishAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Tells the host of <paramref name="url"/> it has work: starts a worker loop when it has room for one.</summary>
    private void Wake(Uri url)
    {
        string key = UrlNormalizer.HostKey(url);
        var host = _hosts.GetOrAdd(key, static (key, state) => new PoliteHost(
            key, new Uri(state.Url.GetLeftPart(UriPartial.Authority) + "/"), state.Options, state.Time), (Url: url, Options: _politeness, Time: _time));
        if (!host.TryAddWorker(_stopping.IsCancellationRequested)) return;
        var worker = Task.Run(() => WorkLoopAsync(host), CancellationToken.None);
        _workers.TryAdd(worker, 0);
        _ = worker.ContinueWith(done => _workers.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task WorkLoopAsync(PoliteHost host)
    {
        while (true)
        {
            long wakes = host.Wakes;
            var item = _stopping.IsCancellationRequested ? null : await _frontier.LeaseAsync(host.Key, CancellationToken.None).ConfigureAwait(false);
            if (item is null)
            {
                // Retire only if no work arrived since the lease was asked for; else lease again.
                if (host.TryRetireWorker(wakes, _stopping.IsCancellationRequested)) return;
                continue;
            }
            _statistics.OnRead();
            FetchResult result;
            try
            {
                result = await VisitAsync(host, item, _stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                continue;
            }
            // A page cut short by the stop is not a result: it stays pending and the resume fetches it.
            if (result.Error == FetchErrorKind.Cancelled) continue;
            result.Line = item.Id;
            result.Depth = item.Depth;
            result.Referrer = item.Referrer;
            await _finished.Writer.WriteAsync(new Visit(item, result, _inspector.FactsFor(result)), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private Task<FetchResult> VisitAsync(PoliteHost host, FrontierItem item, CancellationToken cancellationToken) =>
        HostVisit.VisitAsync(host, item.Id, item.Url, _politeness.RespectRobots, FetchPoliteAsync, _inspector, cancellationToken);

    /// <summary>One fetch with retries, each attempt taking the host's turn and a global slot only while it runs.</summary>
    private ValueTask<FetchResult> FetchPoliteAsync(PoliteHost host, UrlRequest request, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(async token =>
        {
            using var turn = await host.WaitTurnAsync(token).ConfigureAwait(false);
            var slot = await _slots.AcquireAsync(token).ConfigureAwait(false);
            FetchResult? result = null;
            try
            {
                result = await _fetcher.FetchAsync(request, token).ConfigureAwait(false);
                host.Observe(result, _retry.Options.MaxRetryAfter);
                return result;
            }
            finally
            {
                _slots.Release(slot, result is { Error: not FetchErrorKind.Cancelled } ? result : null);
            }
        }, cancellationToken);

    private async Task CommitLoopAsync()
    {
        try
        {
            await DurableLoop.RunAsync(_finished.Reader.ReadAllAsync(CancellationToken.None), CommitOneAsync,
                async () => Committed += await _committer.CommitAsync(CancellationToken.None).ConfigureAwait(false), MaxBatch, _time).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _drained.TrySetException(e);
            throw;
        }
    }

    /// <summary>Hands a finished page's links to the frontier (waking their hosts) and its result to the committer's batch.</summary>
    private async ValueTask<bool> CommitOneAsync(Visit visit)
    {
        var result = visit.Result;
        var links = new PageLinks(visit.Item, result.FinalUrl, result.Error is null ? result.RedirectTo : null,
            visit.Facts is { NoFollow: false } facts && result.Error is null ? facts.Links : []);
        var added = await _frontier.AdmitAsync(links, CancellationToken.None).ConfigureAwait(false);
        // Counted before the parent is counted done, so the crawl cannot look finished in between.
        Interlocked.Add(ref _outstanding, added.Count);
        foreach (var item in added) Wake(item.Url);
        await _committer.AddAsync(visit.Item, result, CancellationToken.None).ConfigureAwait(false);
        _statistics.OnCompleted(result);
        if (Interlocked.Decrement(ref _outstanding) == 0) _drained.TrySetResult();
        return true;
    }

    /// <summary>The product token robots.txt groups are matched against: the User-Agent's first word, less its version.</summary>
    internal static string ProductToken(string userAgent)
    {
        string first = userAgent.Split(' ', 2)[0];
        int slash = first.IndexOf('/', StringComparison.Ordinal);
        string token = slash > 0 ? first[..slash] : first;
        return token.Length > 0 ? token : "Quiver";
    }

    public void Dispose()
    {
        _fetcher.Dispose();
        _slots.Dispose();
    }

    private sealed record Visit(FrontierItem Item, FetchResult Result, PageFacts? Facts);

    /// <summary><c>--save-bodies</c> for pages, leaving out robots.txt answers.</summary>
    private sealed class PageBodies(BodySaver saver) : IResponseHandler
    {
        public ValueTask HandleAsync(ResponseContext context, CancellationToken cancellationToken) =>
            context.Result.Line == HostVisit.RobotsLine ? ValueTask.CompletedTask : saver.HandleAsync(context, cancellationToken);
    }
}
