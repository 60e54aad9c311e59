using System.Collections.Concurrent;
using System.Diagnostics;
using Quiver.Fetching;

namespace Quiver.Running;

/// <summary>Live counters and the end-of-run summary of a fetch run, in memory independent of the list size.</summary>
public sealed class RunStatistics
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _read;
    private long _completed;
    private long _failed;
    // Index 0 counts results without a status; 1-5 count 1xx-5xx (others fall into 5): no string per result.
    private readonly long[] _byStatusClass = new long[6];
    private readonly ConcurrentDictionary<FetchErrorKind, long> _byError = new();

    /// <summary>URL lines in the input, when known ahead (a seekable file); null otherwise.</summary>
    public long? Total { get; init; }

    public long Read => Interlocked.Read(ref _read);
    public long Completed => Interlocked.Read(ref _completed);
    public long Failed => Interlocked.Read(ref _failed);
    /// <summary>
    /// URLs read from the input and not finished yet: in flight, waiting in a strategy's queue or a worker's
    /// chunk, or waiting out a retry backoff. Strategies do not report when a fetch starts (worker processes
    /// could not cheaply), so this is what is known; it is not the number of requests in flight.
    /// </summary>
    public long StartedOrQueued => Math.Max(0, Read - Completed);
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);
    public LatencyHistogram Latency { get; } = new();

    public double RequestsPerSecond => Completed / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>Counts by status class ("2xx", "3xx"…, and "none" for no response); classes never seen are absent.</summary>
    public IReadOnlyDictionary<string, long> ByStatusClass
    {
        get
        {
            var counts = new Dictionary<string, long>();
            for (int i = 0; i < _byStatusClass.Length; i++)
            {
                long n = Interlocked.Read(ref _byStatusClass[i]);
                if (n > 0) counts[i == 0 ? "none" : $"{i}xx"] = n;
            }
            return counts;
        }
    }

    public IReadOnlyDictionary<FetchErrorKind, long> ByError => _byError;

    public void OnRead() => Interlocked.Increment(ref _read);

    public void OnCompleted(FetchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Interlocked.Increment(ref _completed);
        if (result.Error is { } kind)
        {
            Interlocked.Increment(ref _failed);
            _byError.AddOrUpdate(kind, 1, static (_, n) => n + 1);
        }
        int statusClass = result.Status is { } status ? Math.Clamp(status / 100, 1, 5) : 0;
        Interlocked.Increment(ref _byStatusClass[statusClass]);
        if (result.Error is not (FetchErrorKind.InvalidUrl or FetchErrorKind.Cancelled or FetchErrorKind.RobotsDisallowed or FetchErrorKind.HostSkipped))
            Latency.Record(result.Timings.TotalMs);
    }
}
