using Quiver.Concurrency;

namespace Quiver.Tests.Concurrency;

public sealed class ConcurrencyGateTests
{
    [Fact]
    public async Task Raising_the_limit_admits_waiters_and_lowering_it_holds_new_ones()
    {
        var gate = new ConcurrencyGate(1);
        await gate.AcquireAsync(CancellationToken.None);
        var second = gate.AcquireAsync(CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);

        gate.Limit = 2;
        await second;
        Assert.Equal(2, gate.InFlight);

        gate.Limit = 1;
        gate.Release();
        var third = gate.AcquireAsync(CancellationToken.None).AsTask();
        Assert.False(third.IsCompleted);
        gate.Release();
        await third;
        Assert.Equal(1, gate.InFlight);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_takes_no_slot()
    {
        var gate = new ConcurrencyGate(1);
        await gate.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiter = gate.AcquireAsync(cancel.Token).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        Assert.Equal(0, gate.Waiting);
        gate.Release();
        Assert.Equal(0, gate.InFlight);
    }

    [Fact]
    public async Task Contention_is_reported_once_per_period()
    {
        var gate = new ConcurrencyGate(1);
        await gate.AcquireAsync(CancellationToken.None);
        Assert.False(gate.TakeContended());
        var waiter = gate.AcquireAsync(CancellationToken.None).AsTask();
        gate.Release();
        await waiter;

        Assert.True(gate.TakeContended());
        Assert.False(gate.TakeContended());
    }
}
