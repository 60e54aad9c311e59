using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Strategies;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Strategies;

/// <summary>
/// Cancelling a run (Ctrl+C) loses no URL: every URL a strategy took from the input comes back as
/// one record, those in flight or still queued as <c>cancelled</c>; worker processes end.
/// </summary>
public sealed class RunCancellationTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    private const int Concurrency = 2;
    private const int ChunkSize = 4;

    private LoopbackServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(Infrastructure.StrategyRunner.All), MemberType = typeof(Infrastructure.StrategyRunner))]
    public async Task A_cancelled_run_yields_one_cancelled_record_per_url_taken(string name)
    {
        var kind = Infrastructure.StrategyRunner.Parse(name);
        // Requests in flight at once, and a list twice that long: the rest waits in the strategy's queue.
        int inFlight = kind switch
        {
            StrategyKind.Sequential => 1,
            StrategyKind.AsyncProcesses => Concurrency * ChunkSize,
            _ => Concurrency,
        };
        string gate = $"cancel-{Guid.NewGuid():N}"; // never opened: every request waits until cancelled
        var lines = Enumerable.Range(0, 2 * inFlight).Select(i => Server.HttpUrl($"/gate/{gate}?i={i}")).ToList();

        using var strategy = Infrastructure.StrategyRunner.Create(kind, new FetchOptions { Timeout = TimeSpan.FromSeconds(90) }, Concurrency, ChunkSize);
        var workers = new ConcurrentQueue<int>();
        if (strategy is WorkerPoolStrategy pool) pool.WorkerStarted += workers.Enqueue;
        using var cancel = new CancellationTokenSource();
        var input = new CountingInput();

        var run = Task.Run(() => Infrastructure.StrategyRunner.CollectAsync(strategy, input.Read(UrlListReader.FromLines(lines, cancel.Token), cancel.Token), cancel.Token));
        await Server.WaitForRequestsAsync(r => r.PathAndQuery.StartsWith($"/gate/{gate}", StringComparison.Ordinal), inFlight, TimeSpan.FromSeconds(60));
        // The sequential model reads one URL at a time; every other one has read the whole list into its queue by now.
        if (kind != StrategyKind.Sequential) await input.Exhausted.WaitAsync(TimeSpan.FromSeconds(60));
        await cancel.CancelAsync();
        var results = await run.WaitAsync(TimeSpan.FromSeconds(60)); // a guard against a hang

        Assert.Equal(Enumerable.Range(1, input.Taken).Select(i => (long)i), results.Select(r => r.Line).Order());
        Assert.Equal(kind == StrategyKind.Sequential ? 1 : lines.Count, input.Taken);
        Assert.All(results, r => Assert.Equal(FetchErrorKind.Cancelled, r.Error));
        foreach (int pid in workers) await Infrastructure.StrategyRunner.AssertExitedAsync(pid);
    }

    [Theory]
    [InlineData("async")]
    [InlineData("threads")]
    public async Task A_url_waiting_for_room_in_the_queue_when_the_run_is_cancelled_still_gets_its_record(string name)
    {
        var kind = Infrastructure.StrategyRunner.Parse(name);
        string gate = $"cancel-{Guid.NewGuid():N}";
        var lines = Enumerable.Range(0, 40).Select(i => Server.HttpUrl($"/gate/{gate}?i={i}")).ToList();
        using var strategy = Infrastructure.StrategyRunner.Create(kind, new FetchOptions { Timeout = TimeSpan.FromSeconds(90) }, Concurrency, ChunkSize);
        using var cancel = new CancellationTokenSource();
        // In flight (one per loop), the queue full behind them (as long as the loops are many), and one
        // more taken from the input that waits for room: the URL a cancel used to drop without a record.
        int held = 2 * Concurrency + 1;
        var input = new CountingInput(held);

        var run = Task.Run(() => Infrastructure.StrategyRunner.CollectAsync(strategy, input.Read(UrlListReader.FromLines(lines, cancel.Token), cancel.Token), cancel.Token));
        await input.Reached.WaitAsync(TimeSpan.FromSeconds(60));
        await Server.WaitForRequestsAsync(r => r.PathAndQuery.StartsWith($"/gate/{gate}", StringComparison.Ordinal), Concurrency, TimeSpan.FromSeconds(60));
        await cancel.CancelAsync();
        var results = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(held, input.Taken);
        Assert.Equal(Enumerable.Range(1, held).Select(i => (long)i), results.Select(r => r.Line).Order());
        Assert.All(results, r => Assert.Equal(FetchErrorKind.Cancelled, r.Error));
        // The records tell the URLs cut off in flight from those never sent.
        Assert.Equal(Concurrency, results.Count(r => r.Attempts == 1 && r.ErrorMessage != FetchResult.NotStartedMessage));
        Assert.Equal(held - Concurrency, results.Count(r => r.Attempts == 0 && r.ErrorMessage == FetchResult.NotStartedMessage));
    }

    /// <summary>Counts what the strategy takes from its input, and says when it has taken all of it.</summary>
    private sealed class CountingInput(int reachedAt = int.MaxValue)
    {
        private int _taken;
        private readonly TaskCompletionSource _exhausted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once <c>reachedAt</c> items have been taken.</summary>
        public Task Reached => _reached.Task;

        public int Taken => Volatile.Read(ref _taken);

        public Task Exhausted => _exhausted.Task;

        public async IAsyncEnumerable<UrlRequest> Read(IAsyncEnumerable<UrlRequest> source, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var request in source.WithCancellation(cancellationToken))
            {
                if (Interlocked.Increment(ref _taken) == reachedAt) _reached.TrySetResult();
                yield return request;
            }
            _exhausted.TrySetResult();
        }
    }
}
