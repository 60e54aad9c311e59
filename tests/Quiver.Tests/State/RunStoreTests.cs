using Quiver.Crawl;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Resilience;
using Quiver.Running;
using Quiver.State;
using Quiver.Strategies;
using Quiver.Tests.Crawl;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.State;

/// <summary>The README's library lines: a program opens, checks and resumes a fetch and a crawl with <see cref="RunStore"/> alone.</summary>
public sealed class RunStoreTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("quiver-store-").FullName;

    [Fact]
    public async Task A_state_file_that_cannot_serve_the_run_is_refused_with_the_reason()
    {
        string path = Path.Combine(_folder, "run.state");
        Assert.Equal($"no state file to resume at {path}", Assert.Throws<RunStateException>(() => RunStore.Open(path, RunKind.Fetch, resume: true)).Message);
        await RunStore.Open(path, RunKind.Crawl, resume: false).DisposeAsync();
        Assert.Equal($"state file {path} exists: add --resume to continue that run, or delete it to start over",
            Assert.Throws<RunStateException>(() => RunStore.Open(path, RunKind.Crawl, resume: false)).Message);
        Assert.Equal($"{path} is the state of a 'crawl' run, not a 'fetch' run",
            Assert.Throws<RunStateException>(() => RunStore.Open(path, RunKind.Fetch, resume: true)).Message);
    }

    [Fact]
    public async Task A_fetch_resumed_through_the_store_fetches_only_the_lines_not_done_and_the_output_holds_each_once()
    {
        string state = Path.Combine(_folder, "urls.state"), output = Path.Combine(_folder, "results.jsonl");
        var first = Enumerable.Range(1, 5).Select(i => fixture.Server.HttpUrl($"/fast?i={i}")).ToList();
        var all = first.Concat(Enumerable.Range(6, 3).Select(i => fixture.Server.HttpUrl($"/fast?i={i}"))).ToList();
        await FetchAsync(state, output, first, resume: false);

        var statistics = await FetchAsync(state, output, all, resume: true);

        Assert.Equal(3, statistics.Completed);
        var lines = CrawlHarness.ReadResults(output);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), lines.Select(r => r.Line).Order());
        Assert.All(lines, r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task A_finished_crawl_resumed_through_the_store_fetches_nothing_and_keeps_its_settings_and_output()
    {
        await using var server = await SiteGraphServer.StartAsync(SiteGraph.Generate(siteCount: 1, pagesPerSite: 10));
        string state = Path.Combine(_folder, "site.state"), output = Path.Combine(_folder, "site.jsonl");
        var settings = new CrawlSettings { Seeds = [server.Url("site0.test", "/")], MaxDepth = 3 };
        await CrawlAsync(server, state, output, settings);
        string before = await File.ReadAllTextAsync(output);
        int requests = server.Log.Count;

        long committed = await CrawlAsync(server, state, output, null);

        Assert.Equal(requests, server.Log.Count);
        Assert.Equal(before, await File.ReadAllTextAsync(output));
        Assert.Equal(CrawlHarness.ReadResults(output).Count, committed);
    }

    private static async Task<RunStatistics> FetchAsync(string state, string output, List<string> urls, bool resume)
    {
        await using var store = RunStore.Open(state, RunKind.Fetch, resume);
        store.OpenOutput(output, store.Progress);
        using var strategy = FetchStrategies.Create(new StrategyOptions(), new FetchOptions());
        var statistics = new RunStatistics();
        await ResumableFetchRun.RunAsync(UrlListReader.FromLines(urls), strategy, store, statistics);
        return statistics;
    }

    private static async Task<long> CrawlAsync(SiteGraphServer server, string state, string output, CrawlSettings? newCrawl)
    {
        await using var store = RunStore.Open(state, RunKind.Crawl, resume: newCrawl is null);
        var settings = store.OpenCrawl(newCrawl);
        store.OpenOutput(output, store.Crawl);
        using var crawler = new Crawler(settings, CrawlHarness.Fast, new RetryOptions(), new FetchOptions { Resolve = server.Resolve }, store, new RunStatistics());
        await crawler.RunAsync();
        return crawler.Committed;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
