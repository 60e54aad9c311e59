namespace Quiver.Resilience;

/// <summary>How failed fetches are retried. Defaults suit a polite crawl; validated once by <see cref="Validate"/>.</summary>
public sealed record RetryOptions
{
    /// <summary>Tries per URL, the first one included. Default 3; 1 turns retrying off.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The first backoff; each further retry doubles it, with jitter. Default 1 s.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>No computed backoff waits longer than this. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A server's Retry-After is honoured up to this long; longer requests are cut to it. Default 120 s.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>These options with <paramref name="firstDelay"/> as the first backoff, the cap raised to it if it is larger.</summary>
    public RetryOptions WithFirstDelay(TimeSpan firstDelay) =>
        this with { BaseDelay = firstDelay, MaxDelay = firstDelay > MaxDelay ? firstDelay : MaxDelay };

    public RetryOptions Validate()
    {
        if (MaxAttempts < 1) throw new ArgumentException("retry attempts must be at least 1");
        if (BaseDelay < TimeSpan.Zero) throw new ArgumentException("retry delay must not be negative");
        if (MaxDelay < BaseDelay) throw new ArgumentException("retry max delay must be at least the base delay");
        if (MaxRetryAfter < TimeSpan.Zero) throw new ArgumentException("max Retry-After must not be negative");
        return this;
    }
}
