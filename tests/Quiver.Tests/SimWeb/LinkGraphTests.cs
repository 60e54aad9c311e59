using Quiver.Crawl;
using Quiver.SimWeb;

namespace Quiver.Tests.SimWeb;

public sealed class LinkGraphTests
{
    private static readonly SimWorld World = SimWorld.FromTopSites(new SimWebOptions());

    [Fact]
    public void Every_page_of_every_site_keeps_the_exact_size_the_limit_assumes()
    {
        var pages = new SitePages(World);
        foreach (var site in World.Sites)
        {
            foreach (string path in LinkGraph.PathsOf(site).Append("/not/in/the/graph"))
                Assert.Equal(site.BodyBytes, pages.PageOf(site, path).Length);
        }
    }

    [Fact]
    public void Robots_txt_of_every_site_says_what_the_graph_says_it_disallows()
    {
        int disallowing = 0, delaying = 0;
        foreach (var site in World.Sites)
        {
            var rules = RobotsRules.Parse(LinkGraph.RobotsTxt(site), "Quiver");
            foreach (string path in LinkGraph.PathsOf(site))
                Assert.Equal(!LinkGraph.Disallows(site, path), rules.IsAllowed(new Uri($"https://{site.Host}{path}")));
            if (LinkGraph.Disallows(site, "/private/report")) disallowing++;
            if (rules.CrawlDelay is { } delay)
            {
                Assert.Equal(TimeSpan.FromSeconds(LinkGraph.CrawlDelaySeconds), delay);
                delaying++;
            }
        }
        Assert.InRange(disallowing, World.Sites.Count / 4, World.Sites.Count / 2);
        Assert.InRange(delaying, World.Sites.Count / 5, World.Sites.Count / 3);
    }

    [Fact]
    public void Pages_link_within_their_site_and_across_sites_with_some_links_nofollow()
    {
        var graph = new LinkGraph(World);
        var site = World.Sites[0];
        var home = graph.LinksOf(site, "/");
        Assert.Contains(home, l => l.Href == "/about");
        Assert.Contains(home, l => l.NoFollow);
        Assert.Contains(home, l => Uri.TryCreate(l.Href, UriKind.Absolute, out var u) && u.Host != site.Host);
        Assert.Contains(graph.LinksOf(site, "/page/0"), l => l.Href.StartsWith("https://", StringComparison.Ordinal));
        Assert.Contains(World.Sites, s => LinkGraph.IsMetaNoFollow(s, "/contact"));
        Assert.Contains("nofollow", LinkGraph.HeadHtml(World.Sites.First(s => LinkGraph.IsMetaNoFollow(s, "/contact")), "/contact"), StringComparison.Ordinal);
    }
}
