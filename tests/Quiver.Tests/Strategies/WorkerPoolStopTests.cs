using System.Collections.Concurrent;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Strategies;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Strategies;

/// <summary>
/// A consumer that stops reading early (it has what it wanted, or it failed) ends the worker
/// processes: none keeps fetching in the background, none is left behind.
/// </summary>
public sealed class WorkerPoolStopTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    private const int Workers = 2;
    private const int ChunkSize = 4; // under WorkerPoolStrategy.MinOutputCapacity: the output holds that many results

    private LoopbackServer Server => fixture.Server;

    public static TheoryData<StrategyKind, bool> Cases => new()
    {
        { StrategyKind.Processes, false },
        { StrategyKind.Processes, true },
        { StrategyKind.AsyncProcesses, false },
        { StrategyKind.AsyncProcesses, true },
    };

    /// <param name="kind">Which worker pool.</param>
    /// <param name="whileFetchingSlowly">
    /// True: the consumer stops while every worker waits on a slow response. False: it stops once
    /// the pipeline's output is full and every worker is blocked handing over a result.
    /// </param>
    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_consumer_that_stops_early_ends_every_worker_process(StrategyKind kind, bool whileFetchingSlowly)
    {
        string run = $"/echo/stop-{Guid.NewGuid():N}/";
        var lines = Enumerable.Range(0, 3).Select(i => Server.HttpUrl($"{run}{i}"))
            .Concat(Enumerable.Range(0, 300).Select(i => Server.HttpUrl(whileFetchingSlowly ? $"/slow?ms=60000&run={run}{i}" : $"{run}more/{i}")))
            .ToList();
        // Every worker holds a slow request; or: 3 results read, the output full, and each worker holding one more.
        Func<LoggedRequest, bool> counted = whileFetchingSlowly
            ? r => r.PathAndQuery.StartsWith("/slow", StringComparison.Ordinal) && r.PathAndQuery.Contains(run, StringComparison.Ordinal)
            : r => r.PathAndQuery.StartsWith(run + "more/", StringComparison.Ordinal);
        int signal = whileFetchingSlowly ? Workers : WorkerPoolStrategy.MinOutputCapacity + Workers;

        using var strategy = Infrastructure.StrategyRunner.Create(kind, new FetchOptions { Timeout = TimeSpan.FromSeconds(90) }, concurrency: Workers, chunkSize: ChunkSize);
        var workers = new ConcurrentQueue<int>();
        ((WorkerPoolStrategy)strategy).WorkerStarted += workers.Enqueue;

        var consumer = Task.Run(async () =>
        {
            int read = 0;
            await foreach (var result in strategy.RunAsync(UrlListReader.FromLines(lines)))
            {
                Assert.Equal(200, result.Status);
                if (++read < 3) continue;
                await Server.WaitForRequestsAsync(counted, signal, TimeSpan.FromSeconds(60));
                break; // disposes the enumerator: the consumer has gone
            }
            return read;
        });
        // A guard against a hang, not a speed target.
        Assert.Equal(3, await consumer.WaitAsync(TimeSpan.FromSeconds(90)));

        Assert.NotEmpty(workers);
        foreach (int pid in workers) await Infrastructure.StrategyRunner.AssertExitedAsync(pid);
    }
}
