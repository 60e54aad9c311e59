using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Quiver.SimWeb;

/// <summary>
/// The HTML each site serves: a title, links to other sites of the list and to its own pages, and
/// text up to the profile's exact size. Built once per site and kept, so serving costs no CPU.
/// </summary>
internal sealed class SitePages(SimWorld world)
{
    private const string Filler =
        "<p>This page is served by Quiver's simulated web. Its size, its speed and the time its server takes are drawn from the site's profile, " +
        "so that fetching it costs what fetching a real page of that site costs, and the least possible time of a whole list can be computed.</p>\n";

    private readonly ConcurrentDictionary<(int Rank, string Path), byte[]> _pages = new();
    private readonly LinkGraph _graph = new(world);

    /// <summary>
    /// The page at <paramref name="path"/> of a healthy site (also the body a reset site starts to send),
    /// exactly <see cref="SiteProfile.BodyBytes"/> long; its links come from the <see cref="LinkGraph"/>.
    /// </summary>
    public byte[] PageOf(SiteProfile site, string path = "/")
    {
        // Keyed by rank and a known path, so serving allocates nothing and unknown paths share the home page.
        string known = LinkGraph.IsKnownPath(path) ? path : "/";
        return _pages.GetOrAdd((site.Rank, known), static (key, state) => state.Pages.Build(state.Site, key.Path), (Pages: this, Site: site));
    }

    /// <summary>The short page sent with an error status.</summary>
    public static byte[] ErrorPage(SiteProfile site, int status) => Encoding.UTF8.GetBytes(
        $"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{status} {WebUtility.HtmlEncode(ReasonOf(status))}</title></head>" +
        $"<body><h1>{status} {WebUtility.HtmlEncode(ReasonOf(status))}</h1><p>{WebUtility.HtmlEncode(site.Host)} did not serve this page.</p></body></html>\n");

    private byte[] Build(SiteProfile site, string path)
    {
        var head = new StringBuilder();
        head.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(site.Title))
            .Append("</title>").Append(LinkGraph.HeadHtml(site, path)).Append("</head>\n<body><h1>").Append(WebUtility.HtmlEncode(site.Host)).Append("</h1>\n<nav>");
        head.Append(_graph.NavigationHtml(site, path));
        head.Append("</nav>\n<main>\n");
        const string tail = "</main></body></html>\n";

        var page = new StringBuilder(site.BodyBytes + Filler.Length);
        page.Append(head);
        int room = site.BodyBytes - head.Length - tail.Length;
        while (room > 0)
        {
            int take = Math.Min(room, Filler.Length);
            page.Append(Filler, 0, take);
            room -= take;
        }
        page.Append(tail);
        return Encoding.ASCII.GetBytes(page.ToString());
    }

    private static string ReasonOf(int status) => status switch
    {
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    };
}
