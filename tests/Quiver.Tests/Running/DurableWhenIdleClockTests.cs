using Microsoft.Extensions.Time.Testing;
using Quiver.Running;

namespace Quiver.Tests.Running;

/// <summary>The floor between idle commits, by a fake clock: exact to the tick and without sleeping.</summary>
public sealed class DurableWhenIdleClockTests
{
    [Fact]
    public async Task An_idle_wait_commits_once_the_floor_since_the_last_commit_has_passed_and_not_before()
    {
        var time = new FakeTimeProvider();
        int commits = 0;
        var durable = new DurableWhenIdle(() =>
        {
            commits++;
            return ValueTask.CompletedTask;
        }, time);
        var more = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        durable.Wrote();

        var waiting = durable.WaitAsync(new ValueTask<bool>(more.Task)).AsTask();
        time.Advance(DurableWhenIdle.Floor - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, commits);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntilAsync(() => commits == 1);
        Assert.False(waiting.IsCompleted);

        more.SetResult(true);
        Assert.True(await waiting);
        Assert.Equal(1, commits);
    }

    [Fact]
    public async Task Nothing_written_means_no_commit_however_long_the_wait()
    {
        var time = new FakeTimeProvider();
        int commits = 0;
        var durable = new DurableWhenIdle(() =>
        {
            commits++;
            return ValueTask.CompletedTask;
        }, time);
        var more = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = durable.WaitAsync(new ValueTask<bool>(more.Task)).AsTask();
        time.Advance(TimeSpan.FromSeconds(10));
        more.SetResult(false);
        Assert.False(await waiting);
        Assert.Equal(0, commits);
    }

    /// <summary>The commit runs on the timer's continuation; this waits for that signal, bounded, rather than sleeping a guess.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the commit did not happen");
            await Task.Yield();
        }
    }
}
