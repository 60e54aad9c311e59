namespace Quiver.Concurrency;

/// <summary>
/// Every <see cref="Interval"/>, queues one work item to the thread pool and measures how long it
/// waited to run. Costs one timer tick and one work item per interval, nothing per request.
/// </summary>
internal sealed class ThreadPoolLagProbe : ISchedulingLagProbe
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private long _worstTicks;

    public ThreadPoolLagProbe(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(_ => Queue(), null, Interval, Interval);
    }

    private void Queue()
    {
        long queued = _time.GetTimestamp();
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (probe, queuedAt) = state;
            long lag = probe._time.GetElapsedTime(queuedAt).Ticks;
            long seen;
            while (lag > (seen = Interlocked.Read(ref probe._worstTicks)) && Interlocked.CompareExchange(ref probe._worstTicks, lag, seen) != seen)
            {
            }
        }, (this, queued), preferLocal: false);
    }

    public TimeSpan TakeWorstLag() => TimeSpan.FromTicks(Interlocked.Exchange(ref _worstTicks, 0));

    public void Dispose() => _timer.Dispose();
}
