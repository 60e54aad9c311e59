using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Quiver.Crawl;
using Quiver.Fetching;
using Quiver.Output;
using Quiver.Output.Warc;
using Quiver.Resilience;
using Quiver.Running;
using Quiver.State;
using Quiver.Tests.Crawl;

namespace Quiver.Tests.Output.Warc;

[Collection(ChildProcessCollection.Name)]
public sealed class WarcWriterTests
{
    [Fact]
    public async Task Crawl_warc_is_read_back_by_warcio_with_every_digest_verified()
    {
        var graph = SiteGraph.Generate(siteCount: 2, pagesPerSite: 12);
        await using var server = await SiteGraphServer.StartAsync(graph);
        // One page arrives gzip-encoded: the WARC keeps the decoded body, and its headers must say so.
        server.Overrides["/p/1"] = async (context, _) =>
        {
            using var packed = new MemoryStream();
            await using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
                await gzip.WriteAsync("<html><body><a href=\"/p/2\">two</a> packed</body></html>"u8.ToArray());
            context.Response.ContentType = "text/html";
            context.Response.Headers.ContentEncoding = "gzip";
            await context.Response.Body.WriteAsync(packed.ToArray());
            return true;
        };
        using var harness = new CrawlHarness();
        string warcPath = Path.Combine(harness.Folder, "crawl.warc.gz");
        List<FetchResult> results;
        await using (var warc = await WarcWriter.CreateAsync(warcPath, [new("software", "Quiver tests")]))
        {
            using var database = StateDatabase.Open(Path.Combine(harness.Folder, "crawl.state"));
            await using var file = new FileStream(harness.OutputPath, FileMode.Create);
            await using var writer = new JsonLinesResultWriter(file);
            using var crawler = new Crawler(
                new CrawlSettings { Seeds = [server.Url("site0.test", "/")], Scope = ScopeKind.Any },
                CrawlHarness.Fast, new RetryOptions(), new FetchOptions { Resolve = server.Resolve },
                new CrawlState(database), writer, warc, new RunStatistics());
            await crawler.RunAsync();
        }
        results = CrawlHarness.ReadResults(harness.OutputPath);

        var report = await WarcioReader.ReadAsync(warcPath);

        Assert.Empty(report.Problems);
        int responses = server.Log.Count;
        Assert.Equal(1, report.Types["warcinfo"]);
        Assert.Equal(responses, report.Types["response"]);
        Assert.Equal(responses, report.Types["request"]);
        Assert.Equal(1 + 2 * responses, report.Records);
        Assert.Equal(report.Records, report.BlockDigestsVerified);
        Assert.Equal(responses, report.PayloadDigestsVerified);
        var fetched = results.Where(r => r.Status is not null).Select(r => r.Url).ToList();
        Assert.Superset(fetched.ToHashSet(), report.Targets.ToHashSet());
        Assert.Equal(fetched.Order(), report.Targets.Where(t => !t.EndsWith("/robots.txt", StringComparison.Ordinal)).Order());
        Assert.Contains(server.Url("site0.test", "/p/1"), report.Targets);
    }

    [Fact]
    public async Task Fetch_warc_cut_by_a_kill_is_whole_again_after_the_resume()
    {
        const int Lines = 3000;
        await using var server = await SiteGraphServer.StartAsync(new SiteGraph());
        server.Fallback = context => context.Response.WriteAsync($"body of {context.Request.Path}");
        using var harness = new CrawlHarness();
        string list = Path.Combine(harness.Folder, "urls.txt");
        File.WriteAllLines(list, Enumerable.Range(1, Lines).Select(i => $"http://list.test:{server.Port}/item/{i}"));
        string output = Path.Combine(harness.Folder, "out.jsonl");
        string warcPath = Path.Combine(harness.Folder, "fetch.warc.gz");
        string[] arguments = ["fetch", list, "-o", output, "--warc", warcPath, "-c", "16", "--quiet", "--resolve", $"list.test:{server.Port}:127.0.0.1", "--state", output + ".state"];

        using (var run = CliProcess.Start(arguments, harness.Folder))
        {
            Assert.True(await run.WaitUntilAsync(() => CliProcess.CountLines(output) >= Lines / 2, TimeSpan.FromSeconds(60)) && !run.HasExited, run.StandardError);
            await run.KillAsync();
        }
        using (var resume = CliProcess.Start([.. arguments, "--resume"], harness.Folder))
            Assert.Equal(0, await resume.WaitAsync(TimeSpan.FromSeconds(60)));

        var report = await WarcioReader.ReadAsync(warcPath);
        Assert.Empty(report.Problems);
        Assert.Equal(1, report.Types["warcinfo"]);
        // Every URL is in the WARC; a URL twice only if it was fetched again after the kill.
        Assert.Equal(Lines, report.Targets.Distinct().Count());
        Assert.InRange(report.Types["response"], Lines, server.Log.Count);
        Assert.Equal(report.Types["response"], report.PayloadDigestsVerified);
        Assert.Equal(Lines, CrawlHarness.ReadResults(output).Count);
    }
}
