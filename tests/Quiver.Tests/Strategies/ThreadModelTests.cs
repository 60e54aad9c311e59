using System.Collections.Concurrent;
using Quiver.Fetching;
using Quiver.Handlers;
using Quiver.Strategies;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Strategies;

/// <summary>Where each in-process model does its work: the threads model on its own blocking OS threads, async on the thread pool.</summary>
public sealed class ThreadModelTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    /// <summary>Notes the thread each response is handled on (handlers run on the fetching thread's path).</summary>
    private sealed class ThreadRecorder : IResponseHandler
    {
        public ConcurrentBag<(string? Name, bool Pool, int Id)> Seen { get; } = [];

        public ValueTask HandleAsync(ResponseContext context, CancellationToken cancellationToken)
        {
            var thread = Thread.CurrentThread;
            Seen.Add((thread.Name, thread.IsThreadPoolThread, thread.ManagedThreadId));
            return ValueTask.CompletedTask;
        }
    }

    [Theory]
    [InlineData(StrategyKind.Threads)]
    [InlineData(StrategyKind.Async)]
    public async Task Each_model_fetches_on_its_own_kind_of_thread(StrategyKind kind)
    {
        var recorder = new ThreadRecorder();
        using var strategy = FetchStrategies.Create(new StrategyOptions { Kind = kind, Concurrency = 3 }, new FetchOptions(), [recorder]);

        var results = await Infrastructure.StrategyRunner.CollectAsync(strategy, Enumerable.Range(1, 30).Select(i => fixture.Server.HttpUrl($"/echo/{i}")));

        Assert.All(results, r => Assert.Equal(200, r.Status));
        Assert.Equal(30, recorder.Seen.Count);
        if (kind == StrategyKind.Threads)
        {
            // Three dedicated threads, none from the pool, each blocking through its own fetches.
            Assert.All(recorder.Seen, s => Assert.False(s.Pool));
            Assert.All(recorder.Seen, s => Assert.StartsWith("quiver-fetch-", s.Name, StringComparison.Ordinal));
            Assert.InRange(recorder.Seen.Select(s => s.Id).Distinct().Count(), 1, 3);
        }
        else
        {
            Assert.All(recorder.Seen, s => Assert.True(s.Pool));
        }
    }
}
