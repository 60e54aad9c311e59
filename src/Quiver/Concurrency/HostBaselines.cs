namespace Quiver.Concurrency;

/// <summary>
/// Each host's own best time to first byte and best connect + TLS time, so that inflation is
/// judged against what that host can do, never against a global minimum (500 different hosts
/// have 500 different round trips). Bounded: past <c>maxHosts</c>, new hosts are not tracked.
/// Not thread-safe: the controller calls it under its lock.
/// </summary>
internal sealed class HostBaselines(int maxHosts)
{
    private readonly Dictionary<string, Baseline> _hosts = new(StringComparer.OrdinalIgnoreCase);

    public int Count => _hosts.Count;

    /// <summary>What one response says about its host's latency, compared with the host's baseline before it.</summary>
    /// <param name="TtfbComparable">The host has a time-to-first-byte baseline and this response a time to compare.</param>
    /// <param name="TtfbInflated">This response's time to first byte is inflated against the host's baseline.</param>
    /// <param name="HandshakeComparable">As <paramref name="TtfbComparable"/>, for connect + TLS time.</param>
    /// <param name="HandshakeInflated">As <paramref name="TtfbInflated"/>, for connect + TLS time.</param>
    /// <param name="ServedBefore">The host had answered a request without throttling it before this one.</param>
    public readonly record struct Verdict(bool TtfbComparable, bool TtfbInflated, bool HandshakeComparable, bool HandshakeInflated, bool ServedBefore);

    /// <summary>Compares a response with its host's baselines, then folds it into them; <paramref name="served"/>: it was answered, not throttled.</summary>
    public Verdict Observe(ReadOnlySpan<char> host, double? ttfbMs, double? handshakeMs, bool served, double factor, double slackMs)
    {
        // A throttled or failed answer is quick for reasons of its own: only served responses set or meet the baseline.
        if (!served) ttfbMs = handshakeMs = null;
        var lookup = _hosts.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(host, out var baseline))
        {
            if (_hosts.Count < maxHosts) lookup[host] = new Baseline(ttfbMs ?? double.NaN, handshakeMs ?? double.NaN, served);
            return default;
        }
        bool ttfbComparable = ttfbMs is not null && !double.IsNaN(baseline.TtfbMs);
        bool ttfbInflated = ttfbComparable && ttfbMs > baseline.TtfbMs * factor + slackMs;
        bool handshakeComparable = handshakeMs is not null && !double.IsNaN(baseline.HandshakeMs);
        bool handshakeInflated = handshakeComparable && handshakeMs > baseline.HandshakeMs * factor + slackMs;
        lookup[host] = new Baseline(Lowest(baseline.TtfbMs, ttfbMs), Lowest(baseline.HandshakeMs, handshakeMs), baseline.Served || served);
        return new Verdict(ttfbComparable, ttfbInflated, handshakeComparable, handshakeInflated, baseline.Served);
    }

    private static double Lowest(double known, double? sample) =>
        sample is not { } value ? known : double.IsNaN(known) ? value : Math.Min(known, value);

    /// <summary>The host part of an absolute URL ("scheme://host:port/…" gives "host:port"), without allocating.</summary>
    public static ReadOnlySpan<char> AuthorityOf(string url)
    {
        int start = url.IndexOf("://", StringComparison.Ordinal);
        if (start < 0) return url;
        var rest = url.AsSpan(start + 3);
        int end = rest.IndexOfAny('/', '?', '#');
        return end < 0 ? rest : rest[..end];
    }

    private readonly record struct Baseline(double TtfbMs, double HandshakeMs, bool Served);
}
