using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Quiver.Fetching;

/// <summary>
/// Name resolution for <see cref="ConnectionFactory"/>: answers are kept for a positive TTL and
/// failures for a shorter negative TTL, and concurrent lookups of one name share a single query, so a
/// list with thousands of URLs per host asks the resolver once per host and a dead host once per
/// negative TTL. Lookups of different names run concurrently.
/// </summary>
/// <remarks>
/// Hand-written because SocketsHttpHandler caches nothing (each new connection asks the OS resolver)
/// and no maintained .NET library puts a cache with coalescing in front of <see cref="Dns"/>. The OS
/// does not give TTLs through getaddrinfo, so the TTLs are fixed, as in curl's DNS cache. The number
/// of names kept is bounded so that a list over millions of hosts does not grow the cache without end.
/// </remarks>
internal sealed class DnsCache
{
    /// <summary>How long an answer is reused: curl's default DNS cache timeout is 60 s.</summary>
    public static readonly TimeSpan DefaultPositiveTtl = TimeSpan.FromSeconds(60);

    /// <summary>How long a failure is remembered: short, so a transient failure does not stick.</summary>
    public static readonly TimeSpan DefaultNegativeTtl = TimeSpan.FromSeconds(10);

    /// <summary>Names kept at most; beyond it expired names are dropped first, then arbitrary ones.</summary>
    public const int DefaultMaxEntries = 20_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _lookup;
    private readonly TimeProvider _time;
    private readonly long _positiveTtlTicks;
    private readonly long _negativeTtlTicks;
    private readonly int _maxEntries;
    private int _count;
    private int _trimming;
    private long _lookups;

    /// <param name="positiveTtl">How long an answer is reused; <see cref="DefaultPositiveTtl"/> when null.</param>
    /// <param name="negativeTtl">How long a failure is remembered; <see cref="DefaultNegativeTtl"/> when null.</param>
    /// <param name="maxEntries">Names kept at most.</param>
    /// <param name="lookup">The resolver behind the cache; <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/> unless a test counts calls.</param>
    /// <param name="time">The clock for the TTLs; the system's unless a test moves time by hand.</param>
    public DnsCache(
        TimeSpan? positiveTtl = null,
        TimeSpan? negativeTtl = null,
        int maxEntries = DefaultMaxEntries,
        Func<string, CancellationToken, Task<IPAddress[]>>? lookup = null,
        TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _time = time ?? TimeProvider.System;
        _positiveTtlTicks = ToTimestampTicks(positiveTtl ?? DefaultPositiveTtl);
        _negativeTtlTicks = ToTimestampTicks(negativeTtl ?? DefaultNegativeTtl);
        _maxEntries = maxEntries;
        _lookup = lookup ?? Dns.GetHostAddressesAsync;
    }

    /// <summary>Queries actually sent to the resolver (cache misses), for diagnostics and tests.</summary>
    public long Lookups => Interlocked.Read(ref _lookups);

    /// <summary>Names currently cached.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// The addresses of <paramref name="host"/>. A failed lookup throws a <see cref="SocketException"/>
    /// (HostNotFound, NoData, TryAgain…), the same for every caller until the negative TTL expires.
    /// </summary>
    public async ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var entry = GetOrStartLookup(host);
        // The query is shared, so it is never cancelled on one caller's behalf; each caller stops waiting on its own token.
        var answer = await entry.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return answer.Addresses ?? throw new SocketException((int)answer.Error, $"cannot resolve {host}: {answer.Message}");
    }

    private Entry GetOrStartLookup(string host)
    {
        Entry fresh;
        while (true)
        {
            long now = _time.GetTimestamp();
            if (_entries.TryGetValue(host, out var current))
            {
                if (!current.HasExpired(now)) return current;
                fresh = new Entry();
                if (_entries.TryUpdate(host, fresh, current)) break;
            }
            else
            {
                fresh = new Entry();
                if (_entries.TryAdd(host, fresh))
                {
                    if (Interlocked.Increment(ref _count) > _maxEntries) Trim();
                    break;
                }
            }
            // Another caller replaced the entry first: join its lookup on the next pass.
        }
        Interlocked.Increment(ref _lookups);
        _ = RunLookupAsync(host, fresh);
        return fresh;
    }

    private async Task RunLookupAsync(string host, Entry entry)
    {
        Answer answer;
        try
        {
            var addresses = await _lookup(host, CancellationToken.None).ConfigureAwait(false);
            answer = addresses.Length > 0
                ? new Answer(addresses, SocketError.Success, null)
                : new Answer(null, SocketError.NoData, "no addresses");
        }
        catch (SocketException e)
        {
            answer = new Answer(null, e.SocketErrorCode, e.Message);
        }
        catch (Exception e) when (e is ArgumentException or OperationCanceledException)
        {
            // A name the resolver rejects outright is as unresolvable as one it cannot find.
            answer = new Answer(null, SocketError.HostNotFound, e.Message);
        }
        long ttl = answer.Addresses is null ? _negativeTtlTicks : _positiveTtlTicks;
        entry.ExpiresAt = _time.GetTimestamp() + ttl;
        entry.Answer.TrySetResult(answer);
    }

    /// <summary>Drops expired names, then arbitrary ones, until the cache is back under its bound. One trimmer at a time.</summary>
    private void Trim()
    {
        if (Interlocked.Exchange(ref _trimming, 1) == 1) return;
        try
        {
            long now = _time.GetTimestamp();
            foreach (var (host, entry) in _entries)
            {
                if (entry.HasExpired(now) && _entries.TryRemove(new KeyValuePair<string, Entry>(host, entry)))
                    Interlocked.Decrement(ref _count);
            }
            foreach (var (host, entry) in _entries)
            {
                if (Volatile.Read(ref _count) <= _maxEntries * 3 / 4) break;
                if (entry.Answer.Task.IsCompleted && _entries.TryRemove(new KeyValuePair<string, Entry>(host, entry)))
                    Interlocked.Decrement(ref _count);
            }
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private readonly record struct Answer(IPAddress[]? Addresses, SocketError Error, string? Message);

    private sealed class Entry
    {
        private long _expiresAt = long.MaxValue;

        public TaskCompletionSource<Answer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set when the lookup completes; a pending lookup never expires.</summary>
        public long ExpiresAt
        {
            get => Interlocked.Read(ref _expiresAt);
            set => Interlocked.Exchange(ref _expiresAt, value);
        }

        public bool HasExpired(long now) => now >= ExpiresAt;
    }
}
