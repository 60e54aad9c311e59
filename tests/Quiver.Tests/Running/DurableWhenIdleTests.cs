using System.Diagnostics;
using Quiver.Crawl;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Output;
using Quiver.Running;
using Quiver.State;
using Quiver.Strategies;
using Quiver.Tests.Crawl;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Running;

/// <summary>
/// The three runs that write as results finish (list fetch, resumable fetch, crawl) make their output
/// durable while they wait for more, but at most once per <see cref="DurableWhenIdle.Floor"/>: results
/// trickling in from a slow server cost a handful of flushes and commits, not one each.
/// </summary>
public sealed class DurableWhenIdleTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    private const int Trickle = 50;

    /// <summary>A sink that notes when the writer above it flushes (each commit of a resumable run flushes first).</summary>
    private sealed class FlushRecordingStream : MemoryStream
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<TimeSpan> _flushes = [];

        public List<TimeSpan> Flushes
        {
            get
            {
                lock (_flushes) return [.. _flushes];
            }
        }

        // A memory stream has nothing to flush; its FlushAsync would call Flush and count twice.
        public override void Flush() => Record();

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Record();
            return Task.CompletedTask;
        }

        private void Record()
        {
            lock (_flushes) _flushes.Add(_clock.Elapsed);
        }
    }

    public static TheoryData<string> Runs => ["fetch", "resumable fetch", "crawl"];

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task Results_trickling_in_are_flushed_while_waiting_but_at_most_once_per_floor(string run)
    {
        var sink = new FlushRecordingStream();
        await using var writer = new JsonLinesResultWriter(sink);
        var statistics = new RunStatistics();
        await (run == "crawl" ? CrawlAsync(writer, statistics) : FetchAsync(run, writer, statistics));
        // Taken before the writer's own flush on disposal.
        var flushes = sink.Flushes;

        Assert.True(statistics.Completed >= 30, $"{statistics.Completed} results");
        Assert.Equal(statistics.Completed, sink.ToArray().Count(b => b == (byte)'\n'));
        // The last two may end the run (a final commit, a final flush) right after an idle one; all before keep the floor.
        Assert.True(flushes.Count >= 4, $"{flushes.Count} flushes: the run did not flush while it waited");
        var idle = flushes[..^2];
        var gaps = idle.Zip(idle.Skip(1), (earlier, later) => later - earlier).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= DurableWhenIdle.Floor, $"flushed {gap.TotalMilliseconds:0.0} ms after the previous flush"));
    }

    /// <summary>One URL at a time from a server that answers each after 5 ms: each result is followed by a wait.</summary>
    private async Task FetchAsync(string run, JsonLinesResultWriter writer, RunStatistics statistics)
    {
        var urls = Enumerable.Range(1, Trickle).Select(i => fixture.Server.HttpUrl($"/slow?ms=5&i={i}"));
        using var strategy = FetchStrategies.Create(new StrategyOptions { Kind = StrategyKind.Sequential }, new FetchOptions());
        if (run == "fetch")
        {
            await FetchRun.RunAsync(UrlListReader.FromLines(urls), strategy, writer, statistics);
            return;
        }
        using var database = StateDatabase.Open(":memory:");
        await ResumableFetchRun.RunAsync(UrlListReader.FromLines(urls), strategy, writer, new FetchProgress(database), null, statistics);
    }

    /// <summary>One site crawled a page at a time, each page served after 5 ms.</summary>
    private static async Task CrawlAsync(JsonLinesResultWriter writer, RunStatistics statistics)
    {
        await using var server = await SiteGraphServer.StartAsync(SiteGraph.Generate(siteCount: 1, pagesPerSite: Trickle));
        server.PageDelay = TimeSpan.FromMilliseconds(5);
        using var database = StateDatabase.Open(":memory:");
        using var crawler = new Crawler(
            new CrawlSettings { Seeds = [server.Url("site0.test", "/")] }, CrawlHarness.Fast with { PerHostConcurrency = 1 }, CrawlHarness.QuickRetries,
            new FetchOptions { Resolve = server.Resolve }, new CrawlState(database), writer, null, statistics);
        await crawler.RunAsync();
    }
}
