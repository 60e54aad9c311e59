using Quiver.Concurrency;

namespace Quiver.Crawl;

/// <summary>How hard a crawl may press on each host. Defaults are the polite ones; validated once by <see cref="Validate"/>.</summary>
public sealed record PolitenessOptions
{
    /// <summary>Requests in flight across all hosts. Default 16.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary><c>--concurrency auto</c>: the global limit adjusts within these bounds instead of staying at <see cref="Concurrency"/>. Default null (fixed).</summary>
    public AdaptiveConcurrencyOptions? AdaptiveConcurrency { get; init; }

    /// <summary>Requests in flight to one host. Default 1.</summary>
    public int PerHostConcurrency { get; init; } = 1;

    /// <summary>Wait between the end of one request to a host and the start of the next. Default 1 s.</summary>
    public TimeSpan PerHostDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A robots.txt Crawl-delay is honoured up to this long. Default 30 s.</summary>
    public TimeSpan MaxCrawlDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Fetch and obey each host's robots.txt and robots meta tags. Default on.</summary>
    public bool RespectRobots { get; init; } = true;

    /// <summary>A host that answers 429/503 without Retry-After waits this long, doubled each time it repeats. Default 2 s.</summary>
    public TimeSpan ThrottleBackoff { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest a throttling host is backed off as a whole. Default 5 min.</summary>
    public TimeSpan MaxThrottleBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>URLs of one host that may fail (after their retries) before the rest of the host is skipped. Default 20.</summary>
    public int HostErrorBudget { get; init; } = 20;

    public PolitenessOptions Validate()
    {
        if (Concurrency < 1) throw new ArgumentException("concurrency must be at least 1");
        if (PerHostConcurrency < 1) throw new ArgumentException("per-host concurrency must be at least 1");
        if (PerHostDelay < TimeSpan.Zero) throw new ArgumentException("per-host delay must not be negative");
        if (MaxCrawlDelay < TimeSpan.Zero) throw new ArgumentException("max crawl delay must not be negative");
        if (ThrottleBackoff < TimeSpan.Zero || MaxThrottleBackoff < ThrottleBackoff) throw new ArgumentException("throttle backoff must be between 0 and its maximum");
        if (HostErrorBudget < 1) throw new ArgumentException("host error budget must be at least 1");
        AdaptiveConcurrency?.Validate();
        return this;
    }
}
