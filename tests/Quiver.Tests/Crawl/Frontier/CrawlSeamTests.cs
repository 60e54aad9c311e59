using System.Collections.Concurrent;
using Quiver.Crawl;
using Quiver.Crawl.Frontier;
using Quiver.Fetching;
using Quiver.Output;
using Quiver.Running;
using Quiver.State;

namespace Quiver.Tests.Crawl.Frontier;

/// <summary>
/// The crawler reaches its frontier and its commit only through <see cref="ICrawlFrontier"/> and
/// <see cref="ICrawlCommitter"/>: wrapped in recorders, the SQLite pair still crawls the whole
/// graph, and the calls keep the contract another store (a cluster's) relies on.
/// </summary>
public sealed class CrawlSeamTests
{
    [Fact]
    public async Task Crawl_through_the_seam_leases_each_url_once_by_its_host_and_commits_each_leased_url_once()
    {
        var graph = SiteGraph.Generate(siteCount: 3, pagesPerSite: 20);
        await using var server = await SiteGraphServer.StartAsync(graph);
        using var harness = new CrawlHarness();
        string seed = server.Url("site0.test", "/");
        using var database = StateDatabase.Open(Path.Combine(harness.Folder, "crawl.state"));
        var settings = new CrawlSettings { Seeds = [seed], Scope = ScopeKind.Any };
        var sqlite = new SqliteCrawlFrontier(new CrawlState(database), settings);
        var frontier = new RecordingFrontier(sqlite);
        long committed;
        await using (var file = new FileStream(harness.OutputPath, FileMode.Create))
        await using (var writer = new JsonLinesResultWriter(file))
        {
            var committer = new RecordingCommitter(new SqliteCrawlCommitter(sqlite, RunStore.Over(database, writer, null)));
            using var crawler = new Crawler(frontier, committer, CrawlHarness.Fast, CrawlHarness.QuickRetries,
                new FetchOptions { Resolve = server.Resolve, Timeout = TimeSpan.FromSeconds(10) }, null, new RunStatistics());
            await crawler.RunAsync();
            committed = crawler.Committed;

            Assert.True(committer.Finished);
            Assert.Equal(committer.Added.Count, committer.Committed);
            Assert.Equal(frontier.Leased.Select(i => i.Id).Order(), committer.Added.Keys.Order());
        }

        // Each URL admitted (the seed by the opening, the rest by the pages) is leased exactly once, by its own host's key.
        Assert.Equal(frontier.Opened.Concat(frontier.Admitted).Select(i => i.Url.AbsoluteUri).Order(), frontier.Leased.Select(i => i.Url.AbsoluteUri).Order());
        Assert.All(frontier.LeaseKeys, pair => Assert.Equal(UrlNormalizer.HostKey(pair.Item.Url), pair.Key));
        var (expectedFetched, _) = graph.ExpectedCrawl([seed]);
        var results = CrawlHarness.ReadResults(harness.OutputPath);
        Assert.Equal(expectedFetched.Order(), results.Where(r => r.Status is not null).Select(r => r.Url).Order());
        Assert.Equal(results.Count, committed);
        Assert.Equal(results.Select(r => r.Line).Order(), new CrawlState(database).CommittedKeys());
    }

    private sealed class RecordingFrontier(ICrawlFrontier inner) : ICrawlFrontier
    {
        public List<FrontierItem> Opened { get; } = [];
        public ConcurrentQueue<FrontierItem> Admitted { get; } = new();
        public ConcurrentQueue<FrontierItem> Leased { get; } = new();
        public ConcurrentQueue<(string Key, FrontierItem Item)> LeaseKeys { get; } = new();

        public async ValueTask<FrontierOpening> OpenAsync(CancellationToken cancellationToken)
        {
            var opening = await inner.OpenAsync(cancellationToken);
            Opened.AddRange(opening.Pending);
            return opening;
        }

        public async ValueTask<IReadOnlyList<FrontierItem>> AdmitAsync(PageLinks page, CancellationToken cancellationToken)
        {
            var added = await inner.AdmitAsync(page, cancellationToken);
            foreach (var item in added) Admitted.Enqueue(item);
            return added;
        }

        public async ValueTask<FrontierItem?> LeaseAsync(string hostKey, CancellationToken cancellationToken)
        {
            var item = await inner.LeaseAsync(hostKey, cancellationToken);
            if (item is not null)
            {
                Leased.Enqueue(item);
                LeaseKeys.Enqueue((hostKey, item));
            }
            return item;
        }
    }

    private sealed class RecordingCommitter(ICrawlCommitter inner) : ICrawlCommitter
    {
        public Dictionary<long, FetchResult> Added { get; } = [];
        public long Committed { get; private set; }
        public bool Finished { get; private set; }

        public ValueTask<int> AddAsync(FrontierItem page, FetchResult result, CancellationToken cancellationToken)
        {
            Assert.True(Added.TryAdd(page.Id, result), $"{page.Url} added twice");
            return inner.AddAsync(page, result, cancellationToken);
        }

        public async ValueTask<int> CommitAsync(CancellationToken cancellationToken)
        {
            int done = await inner.CommitAsync(cancellationToken);
            Committed += done;
            return done;
        }

        public ValueTask FinishAsync(CancellationToken cancellationToken)
        {
            Finished = true;
            return inner.FinishAsync(cancellationToken);
        }
    }
}
