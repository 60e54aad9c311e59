using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Quiver.Crawl;
using Quiver.Fetching;
using Quiver.Output;
using Quiver.Resilience;
using Quiver.Running;
using Quiver.State;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Crawl;

/// <summary>
/// The address guard end to end in a crawl, safely: the denied target is a canary server on 127.0.0.9
/// (its range put in the deny set), every name resolves through a resolver of the test's own, and
/// nothing here can dial outside 127.0.0.0/8 even were the guard broken.
/// </summary>
public sealed class CrawlAddressGuardTests
{
    private const string RebindHost = "rebind.test";

    public static TheoryData<bool> DenySets => [true, false];

    [Theory]
    [MemberData(nameof(DenySets))]
    public async Task Links_redirects_and_DNS_answers_that_lead_to_a_denied_address_are_blocked_and_it_sees_no_connection(bool denyPrivate)
    {
        await using var canary = new CanaryServer();
        await using var site = await StartSiteAsync(canary);
        using var harness = new CrawlHarness();

        var results = await CrawlAsync(harness, site, canary, new FetchOptions
        {
            // With deny-private, loopback is refused by the private ranges themselves; without it, by the one range denied.
            DenyPrivate = denyPrivate,
            DenyAddresses = denyPrivate ? [] : [$"{canary.Address}/32"],
        });

        Assert.Equal(0, canary.Accepted);
        // The seed's host is pinned (trusted): it is fetched although it is on loopback too.
        Assert.Equal(200, results.Single(r => r.Url == Seed(site)).Status);
        string[] denied = [canary.Url("/link"), canary.Url("/redirect"), $"http://{RebindHost}:{canary.Port}/dns"];
        foreach (string url in denied)
        {
            var result = results.Single(r => r.Url == url);
            Assert.True(result.Error == FetchErrorKind.BlockedAddress, $"{url}: {result.Error} {result.ErrorMessage}");
            Assert.Contains("127.0.0.9", result.ErrorMessage, StringComparison.Ordinal);
        }
        Assert.Equal(canary.Url("/redirect"), results.Single(r => r.Url == Seed(site, "/hop")).RedirectTo);
    }

    [Fact]
    public async Task Without_a_deny_set_the_same_crawl_reaches_the_canary_so_its_count_means_something()
    {
        await using var canary = new CanaryServer();
        await using var site = await StartSiteAsync(canary);
        using var harness = new CrawlHarness();

        var results = await CrawlAsync(harness, site, canary, new FetchOptions());

        Assert.DoesNotContain(results, r => r.Error == FetchErrorKind.BlockedAddress);
        Assert.Equal(200, results.Single(r => r.Url == canary.Url("/link")).Status);
        Assert.Equal(200, results.Single(r => r.Url == $"http://{RebindHost}:{canary.Port}/dns").Status);
        Assert.True(canary.Accepted >= 3, $"the canary accepted {canary.Accepted} connections");
    }

    private static string Seed(KestrelHost site, string path = "/") => $"http://site.test:{site.Port}{path}";

    private static async Task<List<FetchResult>> CrawlAsync(CrawlHarness harness, KestrelHost site, CanaryServer canary, FetchOptions guard)
    {
        var fetch = guard with
        {
            Timeout = TimeSpan.FromSeconds(10),
            Resolve = [new ResolveEntry("site.test", site.Port, "127.0.0.1")],
            // The only name lookup there is: the rebinding name answers with the canary's address, any other fails.
            NameLookup = (host, _) => host == RebindHost
                ? Task.FromResult(new[] { canary.Address })
                : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
        };
        using (var database = StateDatabase.Open(Path.Combine(harness.Folder, "crawl.state")))
        await using (var file = new FileStream(harness.OutputPath, FileMode.Create))
        await using (var writer = new JsonLinesResultWriter(file))
        {
            using var crawler = new Crawler(new CrawlSettings { Seeds = [Seed(site)], Scope = ScopeKind.Any }, CrawlHarness.Fast,
                new RetryOptions { MaxAttempts = 1 }, fetch, new CrawlState(database), writer, null, new RunStatistics());
            await crawler.RunAsync();
        }
        return CrawlHarness.ReadResults(harness.OutputPath);
    }

    /// <summary>A site on 127.0.0.1 whose page links to the canary by address and by a name, and redirects to it.</summary>
    private static Task<KestrelHost> StartSiteAsync(CanaryServer canary) => KestrelHost.StartAsync(app => app.Run(async context =>
    {
        switch (context.Request.Path.Value)
        {
            case "/":
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync(
                    $"""<html><body><a href="{canary.Url("/link")}">by address</a> <a href="http://{RebindHost}:{canary.Port}/dns">by name</a> <a href="/hop">redirect</a></body></html>""");
                break;
            case "/hop":
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = canary.Url("/redirect");
                break;
            default:
                context.Response.StatusCode = 404;
                break;
        }
    }));
}
