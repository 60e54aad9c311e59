using Quiver.Crawl;
using Quiver.Fetching;
using Quiver.Output;
using Quiver.Resilience;
using Quiver.Running;
using Quiver.SimWeb;
using Quiver.State;
using Quiver.Tests.SimWeb;

namespace Quiver.Tests.Crawl;

/// <summary>Crawls of the simulated web's link graph: offline, over HTTPS with per-site certificates, and deterministic.</summary>
public sealed class SimWebCrawlTests
{
    [Fact]
    public async Task Crawl_of_the_sim_fetches_exactly_the_pages_its_link_graph_allows()
    {
        // Ports 80 and 443 of a loopback address of the test's own, as the other sim tests run it.
        await using var sim = await SimWebTestServer.StartAsync(ProfileGenerator.Generate(ProfileGenerator.DefaultSeed, TopSite.Top(8)), timeScale: 0.02);
        var world = sim.World;
        using var harness = new CrawlHarness();
        var seeds = world.TopUrls(2).Select(u => u.AbsoluteUri).ToList();

        List<FetchResult> results;
        using (var database = StateDatabase.Open(Path.Combine(harness.Folder, "crawl.state")))
        await using (var file = new FileStream(harness.OutputPath, FileMode.Create))
        await using (var writer = new JsonLinesResultWriter(file))
        {
            var fetch = new FetchOptions { CaCertificateFile = sim.Files.CaCertificate, Resolve = [.. world.ResolveLines().Select(ResolveEntry.Parse)] };
            // The sim's Crawl-delay (0.5 s on some sites) is capped to keep the test quick.
            var politeness = CrawlHarness.Fast with { MaxCrawlDelay = TimeSpan.FromMilliseconds(100) };
            using var crawler = new Crawler(new CrawlSettings { Seeds = seeds, Scope = ScopeKind.Any }, politeness, new RetryOptions(), fetch,
                new CrawlState(database), writer, null, new RunStatistics());
            await crawler.RunAsync();
        }
        results = CrawlHarness.ReadResults(harness.OutputPath);

        var (expectedPages, expectedDisallowed) = Expected(world, seeds);
        Assert.All(results, r => Assert.True(r.Error is null or FetchErrorKind.RobotsDisallowed, $"{r.Url}: {r.Error} {r.ErrorMessage}"));
        Assert.Equal(expectedPages.Order(), results.Where(r => r.Status == 200).Select(r => r.FinalUrl!).Distinct().Order());
        Assert.Equal(expectedDisallowed.Order(), results.Where(r => r.Error == FetchErrorKind.RobotsDisallowed).Select(r => r.Url).Order());
        Assert.NotEmpty(expectedDisallowed);
        Assert.Equal(results.Count, results.Select(r => r.Url).Distinct().Count());
        Assert.DoesNotContain(results, r => r.Url.Contains("/search", StringComparison.Ordinal));
        // Every site of the small world is reached through the cross-site links.
        Assert.Equal(world.Sites.Count, results.Where(r => r.Status == 200).Select(r => world.Find(new Uri(r.FinalUrl!).Host)!.Rank).Distinct().Count());
    }

    /// <summary>
    /// The crawl worked out from <see cref="LinkGraph"/> and <see cref="SimWorld.RedirectFor"/> alone
    /// (every redirect in the sim changes host or port, so each target is a visit of its own):
    /// final URLs of the pages fetched, and the URLs robots.txt keeps the crawler from.
    /// </summary>
    private static (HashSet<string> Pages, HashSet<string> Disallowed) Expected(SimWorld world, IEnumerable<string> seeds)
    {
        var graph = new LinkGraph(world);
        var pages = new HashSet<string>(StringComparer.Ordinal);
        var disallowed = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(seeds, StringComparer.Ordinal);
        var queue = new Queue<string>(seen);
        while (queue.Count > 0)
        {
            var url = new Uri(queue.Dequeue());
            if (LinkGraph.Disallows(world.Find(url.Host)!, url.AbsolutePath))
            {
                disallowed.Add(url.AbsoluteUri);
                continue;
            }
            // A redirect to another host (or, here, another port) is its own visit, after that host's robots.txt.
            if (world.RedirectFor(url) is { } next)
            {
                if (seen.Add(next.AbsoluteUri)) queue.Enqueue(next.AbsoluteUri);
                continue;
            }
            var final = url;
            pages.Add(final.AbsoluteUri);
            var site = world.Find(final.Host)!;
            if (LinkGraph.IsMetaNoFollow(site, final.AbsolutePath)) continue;
            string path = LinkGraph.PathsOf(site).Contains(final.AbsolutePath) ? final.AbsolutePath : "/";
            foreach (var link in graph.LinksOf(site, path).Where(l => !l.NoFollow))
            {
                string target = new UriBuilder(new Uri(final, link.Href)) { Fragment = "" }.Uri.AbsoluteUri;
                if (seen.Add(target)) queue.Enqueue(target);
            }
        }
        return (pages, disallowed);
    }
}
