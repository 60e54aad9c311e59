using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Crawl;

/// <summary><c>quiver crawl --save-bodies DIR</c>: every page the crawl fetched is in the folder, byte for byte.</summary>
public sealed class CrawlSaveBodiesTests
{
    [Fact]
    public async Task Every_fetched_page_is_saved_and_its_record_names_the_file()
    {
        var graph = SiteGraph.Generate(siteCount: 2, pagesPerSite: 6, withRobots: false);
        await using var server = await SiteGraphServer.StartAsync(graph);
        using var harness = new CrawlHarness();
        string bodies = Path.Combine(harness.Folder, "bodies", "pages");
        string seed = server.Url("site0.test", "/");

        var crawled = await CliRunner.RunAsync(
            ["crawl", seed, "--scope", "any", "--delay", "0", "--quiet", "-o", harness.OutputPath, "--save-bodies", bodies, .. server.ResolveArguments]);

        Assert.True(crawled.ExitCode == 0, crawled.StandardError);
        var pages = CrawlHarness.ReadResults(harness.OutputPath).Where(r => r.Status == 200).ToList();
        Assert.Equal(graph.ExpectedCrawl([seed]).Fetched.Order(StringComparer.Ordinal), pages.Select(p => p.FinalUrl!).Order(StringComparer.Ordinal));
        foreach (var page in pages)
        {
            Assert.NotNull(page.BodyFile);
            Assert.Equal(Path.GetFullPath(bodies), Path.GetDirectoryName(page.BodyFile));
            var uri = new Uri(page.FinalUrl!);
            Assert.Equal(server.BodyOf(graph.Sites[uri.Host].Pages[uri.AbsolutePath], uri.Host), await File.ReadAllTextAsync(page.BodyFile));
        }
        Assert.Equal(pages.Count, Directory.GetFiles(bodies).Length);
    }
}
