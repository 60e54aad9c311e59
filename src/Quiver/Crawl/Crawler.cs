using System.Collections.Concurrent;
using System.Threading.Channels;
using Quiver.Concurrency;
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
/// limit) that drain its queue through the host's gate; a global limit caps requests in flight.
/// One committer writes each finished page's result, admits the links it revealed, and commits both
/// to the state file in batches, after the output is flushed, so a kill at any point loses only work
/// that was not yet committed and a resume repeats only that.
/// </summary>
public sealed class Crawler : IDisposable
{
    private const int MaxBatch = 256;
    private const int RobotsRedirects = 5;
    /// <summary>The line a robots.txt fetch carries: frontier ids, the pages' lines, start at 1.</summary>
    private const long RobotsLine = 0;
    private readonly CrawlSettings _settings;
    private readonly PolitenessOptions _politeness;
    private readonly CrawlScope _scope;
    private readonly CrawlState _state;
    private readonly JsonLinesResultWriter _writer;
    private readonly WarcWriter? _warc;
    private readonly RunStatistics _statistics;
    private readonly Fetcher _fetcher;
    private readonly PageInspector _inspector;
    private readonly FetchRetryPipeline _retry;
    private readonly ConcurrencyLimiter _slots;
    private readonly ConcurrentDictionary<string, PoliteHost> _hosts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _workers = new();
    private readonly Channel<Visit> _finished = Channel.CreateUnbounded<Visit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HashSet<string> _seen = new(StringComparer.Ordinal);
    private long _nextId = 1;
    private long _outstanding;
    private CancellationToken _stopping;

    public Crawler(
        CrawlSettings settings, PolitenessOptions politeness, RetryOptions retry, FetchOptions fetch,
        CrawlState state, JsonLinesResultWriter writer, WarcWriter? warc, RunStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        _settings = (settings ?? throw new ArgumentNullException(nameof(settings))).Validate();
        _politeness = (politeness ?? throw new ArgumentNullException(nameof(politeness))).Validate();
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _statistics = statistics ?? throw new ArgumentNullException(nameof(statistics));
        _warc = warc;
        _scope = new CrawlScope(settings);
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

    /// <summary>Pages whose results are committed, including those of earlier runs of this crawl.</summary>
    public long Committed { get; private set; }

    /// <summary>Crawls until the frontier is empty or <paramref name="cancellationToken"/> stops it; either way every finished page is committed.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        _stopping = cancellationToken;
        var snapshot = _state.Load();
        _seen = snapshot.Seen;
        _nextId = snapshot.NextId;
        Committed = snapshot.Completed;
        foreach (string final in _state.SeedFinalUrls())
            _scope.AddSeedDestination(new Uri(final));

        if (_seen.Count == 0)
        {
            var seeds = new List<FrontierItem>();
            foreach (string seed in _settings.Seeds)
            {
                if (UrlNormalizer.Normalize(seed) is { } url && _seen.Add(url.AbsoluteUri))
                    seeds.Add(new FrontierItem(_nextId++, url, 0, null));
            }
            _state.Commit(seeds, [], null);
            snapshot = snapshot with { Pending = seeds };
        }

        Interlocked.Add(ref _outstanding, snapshot.Pending.Count);
        if (snapshot.Pending.Count == 0) _drained.TrySetResult();
        foreach (var item in snapshot.Pending) Enqueue(item);

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
            _state.Database.SetMeta(MetaKeys.Finished, "1");
    }

    private void Enqueue(FrontierItem item)
    {
        string key = UrlNormalizer.HostKey(item.Url);
        var host = _hosts.GetOrAdd(key, static (_, state) => new PoliteHost(
            new Uri(state.Url.GetLeftPart(UriPartial.Authority) + "/"), state.Options), (item.Url, Options: _politeness));
        lock (host)
        {
            host.Pending.Enqueue(item);
            if (host.Workers >= _politeness.PerHostConcurrency || _stopping.IsCancellationRequested) return;
            host.Workers++;
        }
        var worker = Task.Run(() => WorkLoopAsync(host), CancellationToken.None);
        _workers.TryAdd(worker, 0);
        _ = worker.ContinueWith(done => _workers.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task WorkLoopAsync(PoliteHost host)
    {
        while (true)
        {
            FrontierItem item;
            lock (host)
            {
                if (host.Pending.Count == 0 || _stopping.IsCancellationRequested)
                {
                    host.Workers--;
                    return;
                }
                item = host.Pending.Dequeue();
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

    private async Task<FetchResult> VisitAsync(PoliteHost host, FrontierItem item, CancellationToken cancellationToken)
    {
        if (_politeness.RespectRobots)
        {
            Task<RobotsVerdict> robots;
            lock (host) robots = host.Robots ??= LoadRobotsAsync(host, cancellationToken);
            var verdict = await robots.ConfigureAwait(false);
            if (verdict.BlockedReason is { } blocked)
                return Skipped(item, verdict.Kind, blocked);
            if (!verdict.Rules.IsAllowed(item.Url))
                return Skipped(item, FetchErrorKind.RobotsDisallowed, "disallowed by robots.txt");
        }
        if (host.SkipReason is { } reason)
            return Skipped(item, FetchErrorKind.HostSkipped, reason);

        var result = await FetchPoliteAsync(host, new UrlRequest(item.Id, item.Url.AbsoluteUri, item.Url, null), cancellationToken).ConfigureAwait(false);
        if (result.Error != FetchErrorKind.Cancelled && FetchRetryPipeline.IsRetryable(result))
        {
            lock (host)
            {
                host.Failures++;
                if (host.Failures >= _politeness.HostErrorBudget && host.SkipReason is null)
                    host.SkipReason = $"host skipped: {host.Failures} URLs failed after retries (last: {Describe(result)})";
            }
        }
        return result;
    }

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

    /// <summary>RFC 9309 §2.3.1: a 2xx is parsed, a 4xx means no rules, anything else (5xx, no answer) means keep out.</summary>
    private async Task<RobotsVerdict> LoadRobotsAsync(PoliteHost host, CancellationToken cancellationToken)
    {
        var url = new Uri(host.Origin, "/robots.txt");
        var result = await FetchPoliteAsync(host, new UrlRequest(RobotsLine, url.AbsoluteUri, url, null), cancellationToken).ConfigureAwait(false);
        // The address guard refuses the host itself, so its pages too: their records say that, not "robots.txt unreachable".
        if (result.Error == FetchErrorKind.BlockedAddress)
            return new RobotsVerdict(RobotsRules.DisallowAll, result.ErrorMessage, FetchErrorKind.BlockedAddress);
        // RFC 9309 §2.3.1.2: follow at least five redirects, to other hosts too (the fetcher stops
        // at another host's door for pages only, so that their politeness applies).
        for (int hop = 0; hop < RobotsRedirects && result.Error is null && result.RedirectTo is { } next; hop++)
        {
            var target = new Uri(next);
            result = await FetchPoliteAsync(host, new UrlRequest(RobotsLine, target.AbsoluteUri, target, null), cancellationToken).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (result.Error is null && result.Status is >= 200 and < 300)
        {
            var rules = RobotsRules.Parse(_inspector.FactsFor(result)?.RobotsText ?? "", ProductToken(_fetcher.Options.UserAgent));
            if (rules.CrawlDelay is { } crawlDelay)
            {
                var capped = crawlDelay < _politeness.MaxCrawlDelay ? crawlDelay : _politeness.MaxCrawlDelay;
                if (capped > host.Delay) host.Delay = capped;
            }
            return new RobotsVerdict(rules, null);
        }
        if (result.Error is null && result.Status is >= 400 and < 500 and not 429)
            return new RobotsVerdict(RobotsRules.AllowAll, null);
        return new RobotsVerdict(RobotsRules.DisallowAll, $"robots.txt unreachable ({Describe(result)}): the host is treated as disallowing all, per RFC 9309");
    }

    private async Task CommitLoopAsync()
    {
        var added = new List<FrontierItem>();
        var done = new List<(long Id, string Json)>();
        var commit = new DurableWhenIdle(() => CommitAsync(added, done));
        var reader = _finished.Reader;
        try
        {
            while (true)
            {
                if (!reader.TryRead(out var visit))
                {
                    // Nothing ready: wait for more, making what is finished durable meanwhile.
                    if (!await commit.WaitAsync(reader.WaitToReadAsync(CancellationToken.None)).ConfigureAwait(false)) break;
                    continue;
                }

                if (visit.Item.Depth == 0 && visit.Result.FinalUrl is { } seedFinal)
                    _scope.AddSeedDestination(new Uri(seedFinal));
                if (visit.Result.RedirectTo is { } redirect && visit.Result.Error is null)
                    AdmitRedirect(visit.Item, new Uri(redirect), added);
                if (visit.Facts is { NoFollow: false } facts && visit.Result.Error is null)
                    Admit(visit.Item, facts.Links, added);
                done.Add((visit.Item.Id, _writer.WriteAndGetJson(visit.Result)));
                _statistics.OnCompleted(visit.Result);
                commit.Wrote();
                if (done.Count >= MaxBatch) await commit.NowAsync().ConfigureAwait(false);
                if (Interlocked.Decrement(ref _outstanding) == 0) _drained.TrySetResult();
            }
            if (done.Count > 0 || added.Count > 0) await commit.NowAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _drained.TrySetException(e);
            throw;
        }
    }

    /// <summary>Admits the in-scope, unseen links of a page: each gets a frontier id now and is queued for its host.</summary>
    private void Admit(FrontierItem parent, List<Uri> links, List<FrontierItem> added)
    {
        int depth = parent.Depth + 1;
        if (_settings.MaxDepth is { } maxDepth && depth > maxDepth) return;
        foreach (var link in links)
        {
            if (!TryAdmit(link, depth, parent.Url.AbsoluteUri, added)) return;
        }
    }

    /// <summary>
    /// Admits the target of a redirect to another host at the redirecting page's depth (a redirect is
    /// not a link followed). A seed's redirect target counts as a seed destination, so host scope
    /// follows a site that moved, as when the fetcher followed the redirect itself.
    /// </summary>
    private void AdmitRedirect(FrontierItem from, Uri target, List<FrontierItem> added)
    {
        if (UrlNormalizer.Normalize(target.AbsoluteUri) is not { } url) return;
        if (from.Depth == 0) _scope.AddSeedDestination(url);
        TryAdmit(url, from.Depth, from.Url.AbsoluteUri, added);
    }

    /// <summary>Queues <paramref name="url"/> if in scope and unseen; false once the page cap is reached.</summary>
    private bool TryAdmit(Uri url, int depth, string referrer, List<FrontierItem> added)
    {
        if (_settings.MaxPages is { } maxPages && _seen.Count >= maxPages) return false;
        if (!_scope.Allows(url) || !_seen.Add(url.AbsoluteUri)) return true;
        var item = new FrontierItem(_nextId++, url, depth, referrer);
        added.Add(item);
        // Counted before the parent is counted done, so the crawl cannot look finished in between.
        Interlocked.Increment(ref _outstanding);
        Enqueue(item);
        return true;
    }

    /// <summary>Output first, then the state: a committed result is always already in the output file.</summary>
    private async ValueTask CommitAsync(List<FrontierItem> added, List<(long Id, string Json)> done)
    {
        await _writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        long? warcLength = _warc is null ? null : await _warc.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        _state.Commit(added, done, warcLength);
        Committed += done.Count;
        added.Clear();
        done.Clear();
    }

    private static FetchResult Skipped(FrontierItem item, FetchErrorKind kind, string message) =>
        new FetchResult { Line = item.Id, Url = item.Url.AbsoluteUri }.Fail(kind, message);

    private static string Describe(FetchResult result) =>
        result.Error is { } kind ? $"{kind.ToWireName()}: {result.ErrorMessage}" : $"status {result.Status}";

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
            context.Result.Line == RobotsLine ? ValueTask.CompletedTask : saver.HandleAsync(context, cancellationToken);
    }
}
