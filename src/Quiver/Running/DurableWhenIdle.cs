namespace Quiver.Running;

/// <summary>
/// When a run makes what it has written durable (flushes the output; a resumable run also commits its
/// state): whenever no further result is ready, but no sooner than <see cref="Floor"/> after the last
/// time. Making it durable the moment nothing was ready cost a write system call (and, with state, a
/// SQLite transaction) per result, at tens of thousands of results a second (bench/scale.sh) as when
/// they trickle in; the floor batches them, and a kill while the run waits still loses at most about that much.
/// </summary>
/// <remarks>
/// Its methods take no cancellation token on purpose: what was written is made durable even when the
/// run is being stopped, and the source a run waits on sees the stop itself.
/// </remarks>
internal sealed class DurableWhenIdle(Func<ValueTask> makeDurable, TimeProvider? time = null)
{
    /// <summary>The shortest time between two idle flushes or commits.</summary>
    public static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(50);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _last = (time ?? TimeProvider.System).GetTimestamp();
    private bool _pending;
    // One timer for a spell of waiting, not one each time the source is empty (up to once a result).
    private Task? _floorReached;

    /// <summary>Notes a write that is not yet durable.</summary>
    public void Wrote() => _pending = true;

    /// <summary>
    /// Awaits <paramref name="next"/>, the source's answer to whether another item is ready. While it
    /// is not ready and a write is not yet durable, makes it durable once <see cref="Floor"/> allows.
    /// </summary>
    public async ValueTask<bool> WaitAsync(ValueTask<bool> next)
    {
        if (next.IsCompleted || !_pending) return await next.ConfigureAwait(false);
        var waiting = next.AsTask();
        while (!waiting.IsCompleted)
        {
            var wait = Floor - _time.GetElapsedTime(_last);
            if (wait <= TimeSpan.Zero)
            {
                await NowAsync().ConfigureAwait(false);
                break;
            }
            // Whole milliseconds rounded up: a timer may fire a fraction early, and the loop then checks again.
            _floorReached ??= Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), _time, CancellationToken.None);
            await Task.WhenAny(waiting, _floorReached).ConfigureAwait(false);
            if (_floorReached.IsCompleted) _floorReached = null;
        }
        return await waiting.ConfigureAwait(false);
    }

    /// <summary>Makes what was written durable now: a full batch, or the end of the run.</summary>
    public async ValueTask NowAsync()
    {
        await makeDurable().ConfigureAwait(false);
        _last = _time.GetTimestamp();
        _pending = false;
        _floorReached = null;
    }
}
