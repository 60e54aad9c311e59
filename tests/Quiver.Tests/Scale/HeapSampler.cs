namespace Quiver.Tests.Scale;

/// <summary>
/// The largest heap seen just after a garbage collection: what survived, so the gen0 budget (tens
/// of MB of garbage between collections) does not blur the figure. Sampled on a timer, and once by
/// hand at the point where a materialising pipeline holds the most.
/// </summary>
internal sealed class HeapSampler : IDisposable
{
    private readonly Timer _timer;
    private long _peak;
    private long _lastIndex = -1;

    public HeapSampler() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(5));

    public long Peak
    {
        get
        {
            Sample();
            return Interlocked.Read(ref _peak);
        }
    }

    public void SampleNow()
    {
        GC.Collect();
        Sample();
    }

    private void Sample()
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        if (info.Index == Interlocked.Exchange(ref _lastIndex, info.Index)) return;
        long afterGc = LiveHeap(info);
        long seen;
        while (afterGc > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, afterGc, seen) != seen)
        {
        }
    }

    public static long LiveHeap(GCMemoryInfo info) => info.HeapSizeBytes - info.FragmentedBytes;

    public void Dispose() => _timer.Dispose();
}
