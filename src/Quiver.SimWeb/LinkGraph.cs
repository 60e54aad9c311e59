using System.Net;
using System.Text;

namespace Quiver.SimWeb;

/// <summary>One link on a simulated page.</summary>
/// <param name="Href">As written in the page: a site path, or an absolute URL to another site.</param>
/// <param name="NoFollow">Marked <c>rel="nofollow"</c>.</param>
public sealed record SimLink(string Href, bool NoFollow = false);

/// <summary>
/// The crawlable shape of the simulated web, drawn from each site's rank so it never changes: every
/// site has a home page, /about, /contact and <see cref="PagesPerSite"/> article pages linking to
/// each other and across sites; every site serves a robots.txt, some disallowing /private/ and some
/// asking for a Crawl-delay; some links are nofollow and some pages say nofollow in a robots meta tag.
/// Crawls of the sim are thereby tested offline and deterministically.
/// </summary>
public sealed class LinkGraph(SimWorld world)
{
    /// <summary>Article pages per site: /page/0 … /page/N-1.</summary>
    public const int PagesPerSite = 6;

    /// <summary>Sites whose rank is a multiple of this disallow /private/ in robots.txt.</summary>
    public const int DisallowEvery = 3;

    /// <summary>Sites whose rank is a multiple of this ask for <see cref="CrawlDelaySeconds"/>.</summary>
    public const int CrawlDelayEvery = 4;

    /// <summary>The Crawl-delay those sites ask for.</summary>
    public const double CrawlDelaySeconds = 0.5;

    /// <summary>Sites whose rank is a multiple of this mark their /contact page nofollow with a robots meta tag.</summary>
    public const int MetaNoFollowEvery = 5;

    /// <summary>The robots.txt every site serves.</summary>
    public static string RobotsTxt(SiteProfile site)
    {
        ArgumentNullException.ThrowIfNull(site);
        var robots = new StringBuilder("# quiver sim robots.txt\nUser-agent: *\n");
        robots.Append(site.Rank % DisallowEvery == 0 ? "Disallow: /private/\n" : "Disallow:\n");
        if (site.Rank % CrawlDelayEvery == 0)
            robots.Append("Crawl-delay: ").Append(CrawlDelaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        return robots.ToString();
    }

    /// <summary>True when the site's robots.txt disallows <paramref name="path"/>.</summary>
    public static bool Disallows(SiteProfile site, string path)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(path);
        return site.Rank % DisallowEvery == 0 && path.StartsWith("/private/", StringComparison.Ordinal);
    }

    /// <summary>True when the page at <paramref name="path"/> carries <c>&lt;meta name="robots" content="nofollow"&gt;</c>.</summary>
    public static bool IsMetaNoFollow(SiteProfile site, string path)
    {
        ArgumentNullException.ThrowIfNull(site);
        return site.Rank % MetaNoFollowEvery == 0 && path == "/contact";
    }

    private static readonly string[] KnownPaths =
        ["/", "/about", "/contact", "/private/report", .. Enumerable.Range(0, PagesPerSite).Select(i => $"/page/{i}")];

    private static readonly HashSet<string> KnownPathSet = new(KnownPaths, StringComparer.Ordinal);

    /// <summary>The paths a site serves pages for (the same on every site); any other path gets the home page's content.</summary>
    public static IReadOnlyList<string> PathsOf(SiteProfile site)
    {
        ArgumentNullException.ThrowIfNull(site);
        return KnownPaths;
    }

    /// <summary>True for a path that has a page of its own.</summary>
    public static bool IsKnownPath(string path) => KnownPathSet.Contains(path);

    /// <summary>The links of the page at <paramref name="path"/>.</summary>
    public IReadOnlyList<SimLink> LinksOf(SiteProfile site, string path)
    {
        ArgumentNullException.ThrowIfNull(site);
        var links = new List<SimLink>();
        int n = PagesPerSite;
        switch (path)
        {
            case "/about":
                links.Add(new("/"));
                links.Add(new($"/page/{site.Rank % n}"));
                break;
            case "/contact":
                // Followed only where the page does not say nofollow.
                links.Add(new("/page/0"));
                links.Add(new("/private/report"));
                break;
            case "/private/report":
                links.Add(new("/"));
                break;
            default:
                if (path.StartsWith("/page/", StringComparison.Ordinal) && int.TryParse(path.AsSpan(6), out int page) && page is >= 0 and < PagesPerSite)
                {
                    links.Add(new($"/page/{(page + 1) % n}"));
                    links.Add(new($"/page/{(page * 2 + 3) % n}#section"));
                    links.Add(new("/"));
                    if (page % 3 == 0 && OtherSite(site, page + 1) is { } other)
                        links.Add(new(world.Url(Uri.UriSchemeHttps, other.HostNames.Last(), $"/page/{(other.Rank + page) % n}").AbsoluteUri));
                    break;
                }
                // The home page (and any path the site does not know).
                links.Add(new("/about"));
                links.Add(new("/contact"));
                links.Add(new("/page/0"));
                links.Add(new("/search?q=everything", NoFollow: true));
                if (site.Rank % DisallowEvery == 0) links.Add(new("/private/report"));
                for (int i = 1; i <= 8; i++)
                {
                    if (OtherSite(site, i) is { } other) links.Add(new(world.Url(Uri.UriSchemeHttps, other.Host).AbsoluteUri));
                }
                break;
        }
        return links;
    }

    /// <summary>The page's robots meta tag, or nothing.</summary>
    public static string HeadHtml(SiteProfile site, string path) =>
        IsMetaNoFollow(site, path) ? "<meta name=\"robots\" content=\"noindex, nofollow\">" : "";

    /// <summary>The page's links as HTML anchors.</summary>
    public string NavigationHtml(SiteProfile site, string path)
    {
        var html = new StringBuilder();
        foreach (var link in LinksOf(site, path))
        {
            html.Append("<a href=\"").Append(WebUtility.HtmlEncode(link.Href)).Append('"');
            if (link.NoFollow) html.Append(" rel=\"nofollow\"");
            html.Append('>').Append(WebUtility.HtmlEncode(link.Href)).Append("</a>\n");
        }
        return html.ToString();
    }

    /// <summary>Another site of the list, chosen by rank (never the site itself).</summary>
    private SiteProfile? OtherSite(SiteProfile site, int step)
    {
        int count = world.Sites.Count;
        if (count < 2) return null;
        var other = world.Sites[(site.Rank * 7 + step * 13) % count];
        return ReferenceEquals(other, site) ? world.Sites[(site.Rank * 7 + step * 13 + 1) % count] : other;
    }
}
