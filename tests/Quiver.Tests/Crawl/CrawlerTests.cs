using Microsoft.AspNetCore.Http;
using Quiver.Crawl;
using Quiver.Fetching;

namespace Quiver.Tests.Crawl;

public sealed class CrawlerTests
{
    [Fact]
    public async Task Crawl_of_a_site_graph_fetches_every_allowed_page_exactly_once_and_no_disallowed_one()
    {
        var graph = SiteGraph.Generate(siteCount: 3, pagesPerSite: 30);
        await using var server = await SiteGraphServer.StartAsync(graph);
        using var harness = new CrawlHarness();
        string seed = server.Url("site0.test", "/");

        var results = await harness.RunAsync(server, new CrawlSettings { Seeds = [seed], Scope = ScopeKind.Any });

        var (expectedFetched, expectedDisallowed) = graph.ExpectedCrawl([seed]);
        var requests = server.PageRequests();
        Assert.Equal(requests.Count, requests.Distinct().Count());
        Assert.Equal(expectedFetched.Order(), requests.Order());
        Assert.DoesNotContain(requests, r => r.Contains("/trap/", StringComparison.Ordinal));
        Assert.NotEmpty(expectedDisallowed);
        Assert.All(expectedDisallowed, url => Assert.DoesNotContain(url, requests));

        // The output holds each admitted URL once: fetched pages with a status, disallowed ones as such.
        Assert.Equal(results.Count, results.Select(r => r.Url).Distinct().Count());
        Assert.Equal(expectedFetched.Order(), results.Where(r => r.Status is not null).Select(r => r.Url).Order());
        Assert.Equal(expectedDisallowed.Order(), results.Where(r => r.Error == FetchErrorKind.RobotsDisallowed).Select(r => r.Url).Order());
        Assert.Equal(0, results.Single(r => r.Url == seed).Depth);
        Assert.All(results.Where(r => r.Url != seed), r => Assert.True(r.Depth > 0 && r.Referrer is not null, r.Url));

        // robots.txt once per host, before any page of it.
        foreach (string host in graph.Sites.Keys)
        {
            var hostLog = server.Log.Where(r => r.Host == host).ToList();
            Assert.Equal("/robots.txt", hostLog[0].Path);
            Assert.Single(hostLog, r => r.Path == "/robots.txt");
        }
    }

    [Fact]
    public async Task Host_scope_depth_and_exclude_limit_what_is_followed()
    {
        var graph = SiteGraph.Generate(siteCount: 2, pagesPerSite: 30);
        await using var server = await SiteGraphServer.StartAsync(graph);
        using var harness = new CrawlHarness();
        string seed = server.Url("site0.test", "/p/0");

        var results = await harness.RunAsync(server, new CrawlSettings
        {
            Seeds = [seed],
            Scope = ScopeKind.Host,
            MaxDepth = 2,
            Exclude = ["/p/2$"],
        });

        Assert.All(results, r => Assert.Equal("site0.test", new Uri(r.Url).Host));
        Assert.All(results, r => Assert.InRange(r.Depth ?? -1, 0, 2));
        Assert.DoesNotContain(results, r => r.Url.EndsWith("/p/2", StringComparison.Ordinal));
        Assert.Contains(results, r => r.Depth == 2);
        Assert.DoesNotContain(server.Log, r => r.Host == "site1.test");
        // Depth 2 from /p/0 reaches /p/1, /p/7 (depth 1) and their links, but not the whole site.
        Assert.InRange(results.Count, 4, 12);
    }

    [Fact]
    public async Task A_seed_that_redirects_to_another_host_brings_that_host_into_host_scope()
    {
        var graph = SiteGraph.Generate(siteCount: 3, pagesPerSite: 10, withRobots: false);
        await using var server = await SiteGraphServer.StartAsync(graph);
        server.Overrides["/"] = (context, _) =>
        {
            if (context.Request.Host.Host != "site0.test") return Task.FromResult(false);
            context.Response.StatusCode = 301;
            context.Response.Headers.Location = server.Url("site1.test", "/p/0");
            return Task.FromResult(true);
        };
        using var harness = new CrawlHarness();

        var results = await harness.RunAsync(server, new CrawlSettings { Seeds = [server.Url("site0.test", "/")], Scope = ScopeKind.Host });

        // The seed's record is the redirect itself; its target is visited in site1's own turn, still at depth 0.
        var seedResult = results.Single(r => r.Url == server.Url("site0.test", "/"));
        Assert.Equal(301, seedResult.Status);
        Assert.Equal(server.Url("site1.test", "/p/0"), seedResult.RedirectTo);
        var target = results.Single(r => r.Url == server.Url("site1.test", "/p/0"));
        Assert.Equal((0, 200, seedResult.Url), (target.Depth, target.Status, target.Referrer));
        Assert.Contains(results, r => r.Url == server.Url("site1.test", "/p/1"));
        Assert.DoesNotContain(server.Log, r => r.Host == "site2.test");
        Assert.All(results, r => Assert.NotEqual("site2.test", new Uri(r.Url).Host));
    }

    [Fact]
    public async Task A_redirect_to_another_host_waits_for_that_hosts_robots_txt_and_obeys_it()
    {
        var graph = SiteGraph.Generate(siteCount: 2, pagesPerSite: 5, withRobots: false);
        await using var server = await SiteGraphServer.StartAsync(graph);
        server.Overrides["/moved"] = (context, _) =>
        {
            context.Response.StatusCode = 301;
            context.Response.Headers.Location = server.Url("site1.test", "/private/page");
            return Task.FromResult(true);
        };
        server.Overrides["/robots.txt"] = async (context, _) =>
        {
            if (context.Request.Host.Host != "site1.test") return false;
            await context.Response.WriteAsync("User-agent: *\nDisallow: /private/\n");
            return true;
        };
        using var harness = new CrawlHarness();

        var results = await harness.RunAsync(server, new CrawlSettings { Seeds = [server.Url("site0.test", "/moved")], Scope = ScopeKind.Any });

        var target = results.Single(r => r.Url == server.Url("site1.test", "/private/page"));
        Assert.Equal(FetchErrorKind.RobotsDisallowed, target.Error);
        var site1 = server.Log.Where(r => r.Host == "site1.test").Select(r => r.Path).ToList();
        Assert.Equal(["/robots.txt"], site1);
    }

    [Fact]
    public async Task Max_pages_caps_the_urls_admitted()
    {
        var graph = SiteGraph.Generate(siteCount: 1, pagesPerSite: 40, withRobots: false);
        await using var server = await SiteGraphServer.StartAsync(graph);
        using var harness = new CrawlHarness();

        var results = await harness.RunAsync(server, new CrawlSettings { Seeds = [server.Url("site0.test", "/")], MaxPages = 7 });

        Assert.Equal(7, results.Count);
        Assert.Equal(7, server.PageRequests().Count);
    }
}
