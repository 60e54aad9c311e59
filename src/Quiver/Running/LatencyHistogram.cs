namespace Quiver.Running;

/// <summary>
/// Latency percentiles in constant memory: log-spaced buckets 1% wide from 0.01 ms to over an hour.
/// Hand-written because the only maintained .NET HDR histogram is heavier than these 30 lines and
/// memory must not grow with the number of URLs.
/// </summary>
public sealed class LatencyHistogram
{
    private const double Smallest = 0.01;
    private static readonly double LogGrowth = Math.Log(1.01);
    private readonly long[] _buckets = new long[2000];
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Record(double milliseconds)
    {
        int index = milliseconds <= Smallest ? 0 : (int)Math.Min(_buckets.Length - 1, Math.Ceiling(Math.Log(milliseconds / Smallest) / LogGrowth));
        Interlocked.Increment(ref _buckets[index]);
        Interlocked.Increment(ref _count);
    }

    /// <summary>The latency below which <paramref name="percentile"/> percent of recordings fall (within 1%), or null when empty.</summary>
    public double? Percentile(double percentile)
    {
        long count = Count;
        if (count == 0) return null;
        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * count));
        long seen = 0;
        for (int i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank) return Smallest * Math.Exp(i * LogGrowth);
        }
        return Smallest * Math.Exp((_buckets.Length - 1) * LogGrowth);
    }
}
