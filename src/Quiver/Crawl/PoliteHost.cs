using Quiver.Fetching;

namespace Quiver.Crawl;

/// <summary>
/// One host's share of a crawl: its worker loops, its robots.txt, and the gate every
/// request to it passes: at most <see cref="PolitenessOptions.PerHostConcurrency"/> at once, none
/// before the host's next allowed time (the per-host delay, Crawl-delay, Retry-After, or the
/// backoff of a host that keeps throttling us).
/// </summary>
internal sealed class PoliteHost
{
    private readonly PolitenessOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly Lock _timing = new();
    private readonly TimeProvider _time;
    private long _nextAllowed;
    private TimeSpan _delay;
    private Task<RobotsVerdict>? _robots;
    private int _failures;
    private string? _skipReason;
    private int _throttles;
    private readonly Lock _work = new();
    private int _workers;
    private long _wakes;

    /// <param name="key">The host's key in the frontier.</param>
    /// <param name="origin">scheme://host:port/ of the host.</param>
    /// <param name="options">The crawl's politeness rules.</param>
    /// <param name="time">The clock the host's delays are measured and waited on (tests pass a fake one).</param>
    public PoliteHost(string key, Uri origin, PolitenessOptions options, TimeProvider? time = null)
    {
        Key = key;
        Origin = origin;
        _options = options;
        _time = time ?? TimeProvider.System;
        _slots = new SemaphoreSlim(options.PerHostConcurrency, options.PerHostConcurrency);
        _delay = options.PerHostDelay;
    }

    /// <summary>The host's key in the frontier (<see cref="UrlNormalizer.HostKey"/>).</summary>
    public string Key { get; }

    /// <summary>scheme://host:port/ of the host, where its robots.txt lives.</summary>
    public Uri Origin { get; }

    /// <summary>Wait between requests: the configured delay, or the robots.txt Crawl-delay when longer.</summary>
    public TimeSpan Delay
    {
        get
        {
            lock (_timing) return _delay;
        }
    }

    /// <summary>Lengthens the wait between requests to a robots.txt Crawl-delay, capped at <see cref="PolitenessOptions.MaxCrawlDelay"/>; never shortens it.</summary>
    public void ApplyCrawlDelay(TimeSpan crawlDelay)
    {
        var capped = crawlDelay < _options.MaxCrawlDelay ? crawlDelay : _options.MaxCrawlDelay;
        lock (_timing)
        {
            if (capped > _delay) _delay = capped;
        }
    }

    /// <summary>The host's robots.txt verdict, loaded by <paramref name="load"/> once: every later caller awaits the same load.</summary>
    public Task<RobotsVerdict> RobotsOnce(Func<Task<RobotsVerdict>> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        lock (_work) return _robots ??= load();
    }

    /// <summary>Why the rest of the host is skipped, once its error budget is spent; null before.</summary>
    public string? SkipReason
    {
        get
        {
            lock (_work) return _skipReason;
        }
    }

    /// <summary>Counts a URL of this host that failed after its retries; the one that spends the error budget sets <see cref="SkipReason"/>.</summary>
    public void CountFailure(string lastFailure)
    {
        lock (_work)
        {
            _failures++;
            if (_failures >= _options.HostErrorBudget && _skipReason is null)
                _skipReason = $"host skipped: {_failures} URLs failed after retries (last: {lastFailure})";
        }
    }

    /// <summary>How many times the host was told it has new work; a worker reads it before it leases.</summary>
    public long Wakes
    {
        get
        {
            lock (_work) return _wakes;
        }
    }

    /// <summary>Notes new work for the host; true when the caller should start a worker loop (there is room for one and the crawl is not stopping).</summary>
    public bool TryAddWorker(bool stopping)
    {
        lock (_work)
        {
            _wakes++;
            if (_workers >= _options.PerHostConcurrency || stopping) return false;
            _workers++;
            return true;
        }
    }

    /// <summary>
    /// Ends a worker loop that found nothing to lease, unless work arrived since it read
    /// <paramref name="wakesBeforeLease"/> (then it should lease again): no URL is left with no worker.
    /// </summary>
    public bool TryRetireWorker(long wakesBeforeLease, bool stopping)
    {
        lock (_work)
        {
            if (!stopping && _wakes != wakesBeforeLease) return false;
            _workers--;
            return true;
        }
    }

    /// <summary>Waits for a concurrency slot on this host and for its next allowed start; dispose the turn when the request is over.</summary>
    public async ValueTask<Turn> WaitTurnAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (_timing) wait = _time.GetElapsedTime(_time.GetTimestamp(), _nextAllowed);
                if (wait <= TimeSpan.Zero) break;
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            PushNextAllowed(Delay);
            return new Turn(this);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>
    /// Learns from a response: Retry-After pushes the host's next start out by that much (capped);
    /// 429/503 without it backs the whole host off exponentially (capped); anything else resets that.
    /// </summary>
    public void Observe(FetchResult result, TimeSpan maxRetryAfter)
    {
        if (result.Status is 429 or 503)
        {
            if (result.RetryAfter is { } retryAfter)
            {
                PushNextAllowed(retryAfter < maxRetryAfter ? retryAfter : maxRetryAfter);
            }
            else
            {
                int throttles = Interlocked.Increment(ref _throttles);
                double factor = Math.Pow(2, Math.Min(throttles - 1, 30));
                var backoff = TimeSpan.FromTicks((long)Math.Min(_options.ThrottleBackoff.Ticks * factor, _options.MaxThrottleBackoff.Ticks));
                PushNextAllowed(backoff);
            }
        }
        else if (result.Status is not null)
        {
            Interlocked.Exchange(ref _throttles, 0);
        }
    }

    private void PushNextAllowed(TimeSpan fromNow)
    {
        long candidate = _time.GetTimestamp() + (long)(fromNow.TotalSeconds * _time.TimestampFrequency);
        lock (_timing) _nextAllowed = Math.Max(_nextAllowed, candidate);
    }

    /// <summary>A request's hold on the host: its end starts the delay before the next request.</summary>
    public readonly struct Turn(PoliteHost host) : IDisposable
    {
        public void Dispose()
        {
            host.PushNextAllowed(host.Delay);
            host._slots.Release();
        }
    }
}

/// <summary>What a host's robots.txt decided, and why when it blocks everything (with the kind its pages' records take).</summary>
internal sealed record RobotsVerdict(RobotsRules Rules, string? BlockedReason, FetchErrorKind Kind = FetchErrorKind.RobotsDisallowed);
