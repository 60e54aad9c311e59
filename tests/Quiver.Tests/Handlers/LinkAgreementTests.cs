using System.Globalization;
using Microsoft.AspNetCore.Http;
using Quiver.Output;
using Quiver.Tests.Crawl;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Handlers;

/// <summary>
/// <c>quiver fetch --extract links</c> and <c>quiver crawl</c> read the same page's links alike: the
/// links the handler lists are exactly the URLs the crawler follows, in the same form.
/// </summary>
public sealed class LinkAgreementTests
{
    /// <summary>A page full of awkward links; PORT is the server's port.</summary>
    private const string Page = """
        <!doctype html><html><head><title>links</title>
        <base href="
           http://CDN.test:PORT/root/	">
        </head><body>
        <a href="child">base applies</a>
        <a href="  spaced  ">surrounding whitespace</a>
        <a href="split
        /path">newline inside</a>
        <a href="frag#one">fragment</a><a href="frag#two">other fragment</a><a href="frag">no fragment</a>
        <a href="#top">the base itself</a>
        <a href="http://user:secret@site.test:PORT/cred">credentials</a>
        <a href="//user@site.test:PORT/cred2">user name only</a>
        <a href="mailto:someone@site.test">mail</a><a href="javascript:void(0)">script</a>
        <a href="ftp://site.test:PORT/file">ftp</a><a href="data:text/html,hi">data</a><a href="tel:+100">phone</a>
        <a href="/%7Euser/./a/../b">escaped tilde, dot segments</a>
        <a href="HTTP://SITE.test:PORT/Up">upper-case scheme and host</a>
        <a href="\\site.test:PORT\back">backslashes</a>
        <a href="">empty: the base</a>
        <map name="m"><area href="area" alt="area"></map>
        </body></html>
        """;

    private static readonly string[] CdnPaths = ["/root/child", "/root/spaced", "/root/split/path", "/root/frag", "/root/", "/~user/b", "/root/area"];
    private static readonly string[] SitePaths = ["/Up", "/back"];

    [Fact]
    public async Task The_links_handler_lists_exactly_the_links_the_crawler_follows()
    {
        var graph = new SiteGraph();
        var site = new TestSite("site.test");
        var cdn = new TestSite("cdn.test");
        graph.Sites[site.Host] = site;
        graph.Sites[cdn.Host] = cdn;
        foreach (string path in SitePaths) site.Add(path);
        foreach (string path in CdnPaths) cdn.Add(path);
        await using var server = await SiteGraphServer.StartAsync(graph);
        string port = server.Port.ToString(CultureInfo.InvariantCulture);
        server.Overrides["/links"] = async (context, _) =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(Page.Replace("PORT", port, StringComparison.Ordinal));
            return true;
        };
        string seed = server.Url("site.test", "/links");
        string[] expected =
        [
            server.Url("cdn.test", "/root/child"),
            server.Url("cdn.test", "/root/spaced"),
            server.Url("cdn.test", "/root/split/path"),
            server.Url("cdn.test", "/root/frag"),
            server.Url("cdn.test", "/root/"),
            server.Url("cdn.test", "/~user/b"),
            server.Url("site.test", "/Up"),
            server.Url("site.test", "/back"),
            server.Url("cdn.test", "/root/area"),
        ];

        // The handler, in a worker process as the processes strategy runs it.
        var fetched = await CliRunner.RunAsync(
            ["fetch", "-", "--extract", "links", "--strategy", "processes", "--quiet", .. server.ResolveArguments], standardInput: seed + "\n");
        Assert.True(fetched.ExitCode == 0, fetched.StandardError);
        var links = JsonLinesResultWriter.FromJson(Assert.Single(fetched.OutputLines)).Links;
        Assert.Equal(expected, links);

        // The crawler, one link deep from the same page.
        using var harness = new CrawlHarness();
        var crawled = await CliRunner.RunAsync(
            ["crawl", seed, "--depth", "1", "--scope", "any", "--delay", "0", "--quiet", "-o", harness.OutputPath, .. server.ResolveArguments]);
        Assert.True(crawled.ExitCode == 0, crawled.StandardError);
        var followed = CrawlHarness.ReadResults(harness.OutputPath).Where(r => r.Depth == 1).ToList();
        Assert.Equal(expected.Order(StringComparer.Ordinal), followed.Select(r => r.Url).Order(StringComparer.Ordinal));
        Assert.All(followed, r => Assert.Equal(200, r.Status));
    }
}
