using System.Text;

namespace Quiver.Tests.Crawl;

/// <summary>One page of a test site: its links, which of them are nofollow, and whether the page says nofollow itself.</summary>
internal sealed record TestPage(string Path, IReadOnlyList<string> Links, IReadOnlyList<string> NoFollowLinks, bool MetaNoFollow = false)
{
    public string Html(string origin)
    {
        var html = new StringBuilder($"<!doctype html><html><head><title>{Path}</title>");
        if (MetaNoFollow) html.Append("<meta name=\"robots\" content=\"noindex, nofollow\">");
        html.Append("</head><body>");
        foreach (string link in Links) html.Append($"<a href=\"{link}\">{link}</a> ");
        foreach (string link in NoFollowLinks) html.Append($"<a rel=\"nofollow\" href=\"{link}\">{link}</a> ");
        html.Append("</body></html>");
        return html.ToString();
    }
}

/// <summary>A site: pages by path and the robots.txt it serves (null: 404).</summary>
internal sealed class TestSite(string host)
{
    public string Host { get; } = host;
    public Dictionary<string, TestPage> Pages { get; } = new(StringComparer.Ordinal);
    public string? Robots { get; set; }
    public List<string> DisallowedPrefixes { get; } = [];

    public void Add(string path, IEnumerable<string>? links = null, IEnumerable<string>? noFollow = null, bool metaNoFollow = false) =>
        Pages[path] = new TestPage(path, [.. links ?? []], [.. noFollow ?? []], metaNoFollow);
}

/// <summary>
/// A deterministic web of sites for crawl tests: pages link within their site and across sites,
/// some sites' robots.txt disallow a folder, some links are nofollow and one page per site says
/// nofollow in its robots meta tag. <see cref="ExpectedCrawl"/> walks it independently of Quiver.
/// </summary>
internal sealed class SiteGraph
{
    public Dictionary<string, TestSite> Sites { get; } = new(StringComparer.OrdinalIgnoreCase);
    public int Port { get; set; }

    public string Url(string host, string path) => $"http://{host}:{Port}{path}";

    /// <summary><paramref name="siteCount"/> sites of <paramref name="pagesPerSite"/> pages each.</summary>
    public static SiteGraph Generate(int siteCount, int pagesPerSite, bool withRobots = true)
    {
        var graph = new SiteGraph();
        string[] hosts = [.. Enumerable.Range(0, siteCount).Select(i => $"site{i}.test")];
        for (int s = 0; s < siteCount; s++)
        {
            var site = new TestSite(hosts[s]);
            for (int p = 0; p < pagesPerSite; p++)
            {
                var links = new List<string> { $"/p/{(p + 1) % pagesPerSite}", $"/p/{(p * 3 + 2) % pagesPerSite}#frag", $"./{(p + 7) % pagesPerSite}" };
                if (p % 5 == 0) links.Add($"//{hosts[(s + 1) % siteCount]}:PORT/p/{(p + 3) % pagesPerSite}");
                if (p % 9 == 4) links.Add($"/private/{p}");
                if (p % 11 == 3) links.Add($"/p/../p/{(p + 13) % pagesPerSite}");
                var noFollow = p % 4 == 1 ? new[] { $"/trap/{p}" } : [];
                site.Add($"/p/{p}", links, noFollow, metaNoFollow: p == pagesPerSite / 2);
                if (p % 9 == 4) site.Add($"/private/{p}", [$"/private-child/{p}"]);
                if (p % 4 == 1) site.Add($"/trap/{p}");
            }
            site.Add("/", ["/p/0"]);
            if (withRobots && s % 2 == 0)
            {
                site.Robots = "# test robots\nUser-agent: othercrawler\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\nAllow: /private/ok\n";
                site.DisallowedPrefixes.Add("/private/");
            }
            graph.Sites[site.Host] = site;
        }
        return graph;
    }

    /// <summary>
    /// What a crawl from <paramref name="seeds"/> must fetch: every page reachable through followable
    /// links, in any site, except those robots.txt disallows. Disallowed pages are reached (and
    /// recorded) but neither fetched nor expanded.
    /// </summary>
    public (HashSet<string> Fetched, HashSet<string> Disallowed) ExpectedCrawl(IEnumerable<string> seeds)
    {
        var fetched = new HashSet<string>(StringComparer.Ordinal);
        var disallowed = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(seeds);
        var seen = new HashSet<string>(queue, StringComparer.Ordinal);
        while (queue.Count > 0)
        {
            var url = new Uri(queue.Dequeue());
            var site = Sites[url.Host];
            if (site.DisallowedPrefixes.Exists(prefix => url.AbsolutePath.StartsWith(prefix, StringComparison.Ordinal)))
            {
                disallowed.Add(url.AbsoluteUri);
                continue;
            }
            fetched.Add(url.AbsoluteUri);
            if (!site.Pages.TryGetValue(url.AbsolutePath, out var page) || page.MetaNoFollow) continue;
            foreach (string href in page.Links)
            {
                var target = new Uri(url, href.Replace("PORT", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
                string normal = new UriBuilder(target) { Fragment = "" }.Uri.AbsoluteUri;
                if (seen.Add(normal)) queue.Enqueue(normal);
            }
        }
        return (fetched, disallowed);
    }
}
