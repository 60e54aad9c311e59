using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Quiver.Crawl;
using Quiver.Fetching;

namespace Quiver.Tests.Crawl;

/// <summary>Politeness measured where it matters: by the server's own arrival timestamps.</summary>
public sealed class PolitenessTests
{
    private static TimeSpan Gap(ServedRequest earlier, ServedRequest later) => Stopwatch.GetElapsedTime(earlier.Timestamp, later.Timestamp);

    [Fact]
    public async Task Per_host_delay_and_crawl_delay_hold_between_requests_to_one_host()
    {
        var graph = SiteGraph.Generate(siteCount: 2, pagesPerSite: 6, withRobots: false);
        graph.Sites["site0.test"].Robots = "User-agent: *\nCrawl-delay: 0.3\n";
        await using var server = await SiteGraphServer.StartAsync(graph);
        using var harness = new CrawlHarness();
        var politeness = CrawlHarness.Fast with { PerHostConcurrency = 1, PerHostDelay = TimeSpan.FromMilliseconds(150) };

        await harness.RunAsync(server, new CrawlSettings
        {
            Seeds = [server.Url("site0.test", "/"), server.Url("site1.test", "/")],
            Scope = ScopeKind.Host,
        }, politeness);

        var expected = new Dictionary<string, TimeSpan>
        {
            ["site0.test"] = TimeSpan.FromMilliseconds(300), // Crawl-delay beats the shorter --delay
            ["site1.test"] = TimeSpan.FromMilliseconds(150),
        };
        foreach (var (host, minimum) in expected)
        {
            var hostLog = server.Log.Where(r => r.Host == host).OrderBy(r => r.Timestamp).ToList();
            Assert.True(hostLog.Count >= 5, $"{host}: only {hostLog.Count} requests");
            // After robots.txt is read, every gap is at least the host's delay.
            for (int i = 2; i < hostLog.Count; i++)
                Assert.True(Gap(hostLog[i - 1], hostLog[i]) >= minimum, $"{host}: {hostLog[i].Path} came {Gap(hostLog[i - 1], hostLog[i]).TotalMilliseconds:0} ms after {hostLog[i - 1].Path}");
        }
        // The hosts were crawled side by side, not one after the other.
        var site0 = server.Log.Where(r => r.Host == "site0.test").Select(r => r.Timestamp).ToList();
        var site1 = server.Log.Where(r => r.Host == "site1.test").Select(r => r.Timestamp).ToList();
        Assert.True(site1.Min() < site0.Max() && site0.Min() < site1.Max());
    }

    [Fact]
    public async Task Retry_after_in_seconds_and_as_an_http_date_is_honoured()
    {
        var graph = SiteGraph.Generate(siteCount: 1, pagesPerSite: 3, withRobots: false);
        await using var server = await SiteGraphServer.StartAsync(graph);
        DateTimeOffset promised = default;
        server.Overrides["/p/1"] = async (context, hit) =>
        {
            if (hit > 1) return false;
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsync("slow down");
            return true;
        };
        server.Overrides["/p/2"] = async (context, hit) =>
        {
            if (hit > 1) return false;
            // An HTTP date has whole seconds: promise the start of the second after next.
            var now = DateTimeOffset.UtcNow;
            promised = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(2);
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = promised.ToString("r", CultureInfo.InvariantCulture);
            await context.Response.WriteAsync("maintenance");
            return true;
        };
        using var harness = new CrawlHarness();
        var politeness = CrawlHarness.Fast with { PerHostConcurrency = 2 };

        var results = await harness.RunAsync(server, new CrawlSettings { Seeds = [server.Url("site0.test", "/p/0")] }, politeness);

        var seconds = server.Log.Where(r => r.Path == "/p/1").ToList();
        Assert.Equal(2, seconds.Count);
        Assert.True(Gap(seconds[0], seconds[1]) >= TimeSpan.FromSeconds(1), $"retried after {Gap(seconds[0], seconds[1]).TotalMilliseconds:0} ms");
        var dated = server.Log.Where(r => r.Path == "/p/2").ToList();
        Assert.Equal(2, dated.Count);
        Assert.True(dated[1].At >= promised, $"retried at {dated[1].At:O}, before {promised:O}");
        Assert.All(results.Where(r => r.Url.EndsWith("/p/1", StringComparison.Ordinal) || r.Url.EndsWith("/p/2", StringComparison.Ordinal)), r =>
        {
            Assert.Equal(200, r.Status);
            Assert.Equal(2, r.Attempts);
        });
    }

    [Fact]
    public async Task A_waiting_retry_holds_no_concurrency_slot()
    {
        var graph = SiteGraph.Generate(siteCount: 2, pagesPerSite: 6, withRobots: false);
        await using var server = await SiteGraphServer.StartAsync(graph);
        server.Overrides["/p/0"] = async (context, hit) =>
        {
            if (context.Request.Host.Host != "site0.test" || hit > 1) return false;
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsync("later");
            return true;
        };
        using var harness = new CrawlHarness();
        // One request in flight in the whole crawl: site1 can only progress if site0's wait frees it.
        var politeness = CrawlHarness.Fast with { Concurrency = 1, PerHostConcurrency = 1 };

        await harness.RunAsync(server, new CrawlSettings
        {
            Seeds = [server.Url("site0.test", "/p/0"), server.Url("site1.test", "/p/0")],
            Scope = ScopeKind.Host,
        }, politeness);

        var tries = server.Log.Where(r => r.Host == "site0.test" && r.Path == "/p/0").ToList();
        Assert.Equal(2, tries.Count);
        int servedMeanwhile = server.Log.Count(r => r.Host == "site1.test" && r.Timestamp > tries[0].Timestamp && r.Timestamp < tries[1].Timestamp);
        Assert.True(servedMeanwhile >= 3, $"only {servedMeanwhile} site1 requests while site0 waited");
    }

    [Fact]
    public async Task A_host_that_keeps_throttling_without_retry_after_is_backed_off_as_a_whole()
    {
        var graph = SiteGraph.Generate(siteCount: 1, pagesPerSite: 4, withRobots: false);
        await using var server = await SiteGraphServer.StartAsync(graph);
        server.Overrides["/p/1"] = async (context, hit) =>
        {
            if (hit > 3) return false;
            context.Response.StatusCode = 503;
            await context.Response.WriteAsync("busy");
            return true;
        };
        using var harness = new CrawlHarness();
        var backoff = TimeSpan.FromMilliseconds(100);
        var politeness = CrawlHarness.Fast with { PerHostConcurrency = 1, ThrottleBackoff = backoff };
        var retry = CrawlHarness.QuickRetries with { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(1) };

        var results = await harness.RunAsync(server, new CrawlSettings { Seeds = [server.Url("site0.test", "/p/0")] }, politeness, retry);

        // After the n-th 503 in a row, no request of any path reaches the host before 100 ms × 2^(n-1).
        var log = server.Log.OrderBy(r => r.Timestamp).ToList();
        int streak = 0;
        for (int i = 0; i < log.Count - 1; i++)
        {
            if (log[i].Path == "/p/1" && streak < 3)
            {
                streak++;
                var minimum = backoff * Math.Pow(2, streak - 1);
                Assert.True(Gap(log[i], log[i + 1]) >= minimum, $"{log[i + 1].Path} came {Gap(log[i], log[i + 1]).TotalMilliseconds:0} ms after 503 #{streak}");
            }
        }
        Assert.Equal(3, streak);
        var page = Assert.Single(results, r => r.Url.EndsWith("/p/1", StringComparison.Ordinal));
        Assert.Equal(200, page.Status);
        Assert.Equal(4, page.Attempts);
    }

    [Fact]
    public async Task A_host_past_its_error_budget_is_skipped_with_a_clear_record()
    {
        var graph = SiteGraph.Generate(siteCount: 1, pagesPerSite: 12, withRobots: false);
        await using var server = await SiteGraphServer.StartAsync(graph);
        foreach (var path in graph.Sites["site0.test"].Pages.Keys.Where(p => p != "/"))
        {
            server.Overrides[path] = async (context, _) =>
            {
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("<a href=\"/p/5\">x</a>");
                return true;
            };
        }
        // The seed page links on to the failing pages.
        graph.Sites["site0.test"].Add("/", [.. Enumerable.Range(0, 12).Select(i => $"/p/{i}")]);
        using var harness = new CrawlHarness();
        var politeness = CrawlHarness.Fast with { PerHostConcurrency = 1, HostErrorBudget = 2 };
        var retry = CrawlHarness.QuickRetries with { MaxAttempts = 2 };

        var results = await harness.RunAsync(server, new CrawlSettings { Seeds = [server.Url("site0.test", "/")] }, politeness, retry);

        var failed = results.Where(r => r.Status == 500).ToList();
        Assert.Equal(2, failed.Count);
        Assert.All(failed, r => Assert.Equal(2, r.Attempts));
        var skipped = results.Where(r => r.Error == FetchErrorKind.HostSkipped).ToList();
        Assert.Equal(10, skipped.Count);
        Assert.All(skipped, r => Assert.Contains("2 URLs failed after retries", r.ErrorMessage, StringComparison.Ordinal));
        Assert.Equal(1 + 2 * 2, server.PageRequests().Count);
    }

    [Fact]
    public async Task User_agent_names_quiver_and_the_contact_url_reaches_the_server()
    {
        var graph = SiteGraph.Generate(siteCount: 1, pagesPerSite: 3, withRobots: false);
        graph.Sites["site0.test"].Robots = "User-agent: Quiver\nDisallow: /p/2\n\nUser-agent: *\nDisallow: /\n";
        await using var server = await SiteGraphServer.StartAsync(graph);
        using var harness = new CrawlHarness();
        string agent = global::Quiver.Cli.Commands.HttpOptionSet.WithContact(FetchOptions.DefaultUserAgent, "https://example.org/about-our-bot");

        var results = await harness.RunAsync(server, new CrawlSettings { Seeds = [server.Url("site0.test", "/p/0")] }, userAgent: agent);

        Assert.Equal("Quiver/0.1 (+https://example.org/about-our-bot)", agent);
        Assert.All(server.Log, r => Assert.Equal(agent, r.UserAgent));
        // robots.txt's group for our product token applies, not the '*' group that shuts everyone else out.
        Assert.Contains(results, r => r.Url.EndsWith("/p/1", StringComparison.Ordinal) && r.Status == 200);
        Assert.Contains(results, r => r.Url.EndsWith("/p/2", StringComparison.Ordinal) && r.Error == FetchErrorKind.RobotsDisallowed);
    }
}
