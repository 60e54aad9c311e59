using System.Collections.Concurrent;
using System.Diagnostics;
using Quiver.Fetching;
using Quiver.Strategies;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Strategies;

/// <summary>Killing a worker process mid-run loses no URL: the one it held is reported, a new worker takes over.</summary>
public sealed class WorkerCrashTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    private LoopbackServer Server => fixture.Server;

    [Theory]
    [InlineData(StrategyKind.Processes, 1)]
    [InlineData(StrategyKind.AsyncProcesses, 3)]
    public async Task KilledWorker_ItsUrlsAreReportedAndTheRestStillFetched(StrategyKind kind, int chunkSize)
    {
        string gate = $"crash-{kind}";
        string[] lines =
        [
            Server.HttpUrl("/fast"), Server.HttpUrl($"/gate/{gate}"), Server.HttpUrl("/echo/3"),
            Server.HttpUrl("/echo/4"), Server.HttpUrl("/echo/5"), Server.HttpUrl("/echo/6"), Server.HttpUrl("/echo/7"),
        ];
        using var strategy = Infrastructure.StrategyRunner.Create(kind, new FetchOptions(), concurrency: 1, chunkSize: chunkSize);
        var workers = new ConcurrentQueue<int>();
        ((WorkerPoolStrategy)strategy).WorkerStarted += workers.Enqueue;

        var run = Infrastructure.StrategyRunner.CollectAsync(strategy, lines);
        await Server.WaitForRequestAsync(r => r.PathAndQuery == $"/gate/{gate}", TimeSpan.FromSeconds(30));
        Assert.True(workers.TryPeek(out int first));
        using (var victim = Process.GetProcessById(first)) victim.Kill();
        var results = await run;

        Assert.Equal(Enumerable.Range(1, lines.Length).Select(i => (long)i), results.Select(r => r.Line).Order());
        var gated = results.Single(r => r.Line == 2);
        Assert.Equal(FetchErrorKind.WorkerCrashed, gated.Error);
        Assert.Contains(first.ToString(System.Globalization.CultureInfo.InvariantCulture), gated.ErrorMessage, StringComparison.Ordinal);
        // Only the URLs of the batch the dead worker held can be lost to the crash; everything else succeeds.
        var crashed = results.Where(r => r.Error is not null).ToList();
        Assert.All(crashed, r => Assert.Equal(FetchErrorKind.WorkerCrashed, r.Error));
        Assert.InRange(crashed.Count, 1, chunkSize);
        Assert.All(results.Except(crashed), r => Assert.Equal(200, r.Status));
        Assert.True(workers.Count >= 2, "a replacement worker was started");
    }
}
