namespace Quiver.Concurrency;

/// <summary>
/// How <c>--concurrency auto</c> adjusts the number of requests in flight. Defaults are the ones
/// docs/concurrency.md explains and bench/auto.sh measured; validated once by <see cref="Validate"/>.
/// </summary>
public sealed record AdaptiveConcurrencyOptions
{
    /// <summary>The width the run starts at. Default 16: small enough for a server that throttles early, doubled within a few windows.</summary>
    public int InitialWidth { get; init; } = 16;

    /// <summary>The width never goes below this. Default 1.</summary>
    public int MinWidth { get; init; } = 1;

    /// <summary><c>--max-concurrency</c>: the width never goes above this. Default 1024.</summary>
    public int MaxWidth { get; init; } = DefaultMaxWidth;

    /// <summary>The default of <see cref="MaxWidth"/>.</summary>
    public const int DefaultMaxWidth = 1024;

    /// <summary>
    /// A window closes after this many completions of requests started at its width, or twice the
    /// width, whichever is more: every slot turns over about twice, so a window measures the width
    /// and not the ramp to it. Default 32.
    /// </summary>
    public int MinWindowCompletions { get; init; } = 32;

    /// <summary>A wider window must beat the best goodput so far by this fraction to count as growth that pays. Default 0.1.</summary>
    public double GrowthGain { get; init; } = 0.1;

    /// <summary>The width is multiplied by this on overload. Default 0.7.</summary>
    public double BackoffFactor { get; init; } = 0.7;

    /// <summary>
    /// Throttling (429/503) or failures that grow with load (timeouts, resets, refused connections)
    /// above this fraction of a window's completions, beyond the lowest rate seen, is overload. Default 0.05.
    /// </summary>
    public double FailureRateThreshold { get; init; } = 0.05;

    /// <summary>Process CPU over all cores at or above this fraction is saturation: no growth. Default 0.9.</summary>
    public double CpuSaturation { get; init; } = 0.9;

    /// <summary>Saturated CPU together with thread-pool lag at or above this is overload: back off. Default 50 ms.</summary>
    public TimeSpan SchedulingLagThreshold { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// A response is inflated when its time to first byte (or its connect + TLS time) exceeds its host's
    /// baseline times this factor plus <see cref="InflationSlack"/>. Default 3.
    /// </summary>
    public double LatencyInflation { get; init; } = 3;

    /// <summary>Absolute slack on top of the inflated baseline, so sub-millisecond loopback jitter is not overload. Default 20 ms.</summary>
    public TimeSpan InflationSlack { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>More than this fraction of a window's comparable responses inflated is overload. Default 0.5.</summary>
    public double InflatedFraction { get; init; } = 0.5;

    /// <summary>Hosts whose baselines are kept; beyond this, new hosts are not tracked (memory stays bounded on lists of millions of hosts). Default 65,536.</summary>
    public int MaxTrackedHosts { get; init; } = 65_536;

    /// <summary>On a plateau, every this many windows the width is probed once a step up or down. Default 4.</summary>
    public int ProbeEvery { get; init; } = 4;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public AdaptiveConcurrencyOptions Validate()
    {
        if (MinWidth < 1) throw new ArgumentException("the least concurrency must be at least 1");
        if (MaxWidth < MinWidth) throw new ArgumentException($"--max-concurrency must be at least {MinWidth}");
        if (InitialWidth < 1) throw new ArgumentException("the initial concurrency must be at least 1");
        if (MinWindowCompletions < 1) throw new ArgumentException("a window needs at least 1 completion");
        if (GrowthGain is < 0 or > 10) throw new ArgumentException("the growth gain must be between 0 and 10");
        if (BackoffFactor is <= 0 or >= 1) throw new ArgumentException("the back-off factor must be between 0 and 1");
        if (FailureRateThreshold is <= 0 or > 1) throw new ArgumentException("the failure rate threshold must be in (0, 1]");
        if (CpuSaturation is <= 0 or > 1) throw new ArgumentException("the CPU saturation must be in (0, 1]");
        if (SchedulingLagThreshold <= TimeSpan.Zero) throw new ArgumentException("the scheduling lag threshold must be positive");
        if (LatencyInflation < 1) throw new ArgumentException("the latency inflation factor must be at least 1");
        if (InflationSlack < TimeSpan.Zero) throw new ArgumentException("the inflation slack must not be negative");
        if (InflatedFraction is <= 0 or > 1) throw new ArgumentException("the inflated fraction must be in (0, 1]");
        if (MaxTrackedHosts < 0) throw new ArgumentException("tracked hosts must not be negative");
        if (ProbeEvery < 1) throw new ArgumentException("probe every must be at least 1");
        return this;
    }

    /// <summary>The width a run starts at: the initial width within the bounds.</summary>
    internal int StartWidth => Math.Clamp(InitialWidth, MinWidth, MaxWidth);
}
