namespace Quiver.Concurrency;

/// <summary>
/// A semaphore whose limit can change while callers wait: raising it admits waiters at once,
/// lowering it admits no one until enough slots are released. Written by hand because
/// <see cref="SemaphoreSlim"/> cannot take back permits and System.Threading.RateLimiting's
/// ConcurrencyLimiter has a fixed permit limit. Waiters are admitted first come, first served.
/// </summary>
internal sealed class ConcurrencyGate
{
    private readonly object _lock = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _limit;
    private int _inFlight;
    private bool _contended;

    public ConcurrencyGate(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        _limit = limit;
    }

    /// <summary>Slots that may be held at once.</summary>
    public int Limit
    {
        get { lock (_lock) return _limit; }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (_lock)
            {
                _limit = value;
                AdmitWaiters();
            }
        }
    }

    /// <summary>Slots held now.</summary>
    public int InFlight { get { lock (_lock) return _inFlight; } }

    /// <summary>Callers waiting for a slot now.</summary>
    public int Waiting { get { lock (_lock) return _waiters.Count; } }

    /// <summary>
    /// Whether any caller had to wait since the last call (or is waiting now); the next period starts.
    /// A period in which no one waited was app-limited: a wider gate would have changed nothing.
    /// </summary>
    public bool TakeContended()
    {
        lock (_lock)
        {
            bool contended = _contended || _waiters.Count > 0;
            _contended = _waiters.Count > 0;
            return contended;
        }
    }

    /// <summary>Waits for a slot; the caller must <see cref="Release"/> it.</summary>
    public ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        LinkedListNode<TaskCompletionSource> node;
        lock (_lock)
        {
            if (_inFlight < _limit && _waiters.Count == 0)
            {
                _inFlight++;
                return ValueTask.CompletedTask;
            }
            cancellationToken.ThrowIfCancellationRequested();
            _contended = true;
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() =>
            {
                lock (_lock)
                {
                    // Admitted already: the slot is the caller's, who will release it.
                    if (node.List is null) return;
                    _waiters.Remove(node);
                }
                waiter.TrySetCanceled(cancellationToken);
            });
            _ = waiter.Task.ContinueWith(static (_, r) => ((CancellationTokenRegistration)r!).Dispose(), registration,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return new ValueTask(waiter.Task);
    }

    public void Release()
    {
        lock (_lock)
        {
            if (_inFlight == 0) throw new InvalidOperationException("released a slot that was not held");
            _inFlight--;
            AdmitWaiters();
        }
    }

    private void AdmitWaiters()
    {
        while (_inFlight < _limit && _waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            _inFlight++;
            // Continuations run asynchronously, so completing under the lock runs no caller code here.
            first.Value.TrySetResult();
        }
    }
}
