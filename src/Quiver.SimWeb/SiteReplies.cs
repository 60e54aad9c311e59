using System.Collections.Frozen;
using System.Text;

namespace Quiver.SimWeb;

/// <summary>
/// What one site answers alike to every request, worked out once when the server starts instead of
/// on each request: its robots.txt and error page as bytes, where its home page redirects, and its
/// round trip and think time at the sim's time scale. A few hundred bytes a site.
/// </summary>
internal sealed class SiteReplies
{
    // Indexed by Slot(https, www): the home page's redirect for each scheme and each of the site's names.
    private readonly string?[] _homeRedirects = new string?[4];

    private SiteReplies(SimWorld world, SiteProfile site)
    {
        Site = site;
        Robots = Encoding.UTF8.GetBytes(LinkGraph.RobotsTxt(site));
        if (site.Failure.StatusCode() is { } status) Error = (status, SitePages.ErrorPage(site, status));
        RoundTrip = Pacing.Ticks(world.Options.Scale(site.RoundTrip));
        Think = Pacing.Ticks(world.Options.Scale(site.Think));
        foreach (string scheme in new[] { Uri.UriSchemeHttp, Uri.UriSchemeHttps })
        {
            foreach (string name in site.HostNames)
            {
                // The world's own rule on the URL a client sends for the home page, so the two never disagree.
                _homeRedirects[Slot(scheme == Uri.UriSchemeHttps, IsWww(name))] = world.RedirectFor(world.Url(scheme, name))?.AbsoluteUri;
            }
        }
    }

    public SiteProfile Site { get; }

    /// <summary>The body of the site's robots.txt.</summary>
    public byte[] Robots { get; }

    /// <summary>The status and page a failing site answers with, or null when its failure is not a status.</summary>
    public (int Status, byte[] Page)? Error { get; }

    /// <summary>One round trip, in <see cref="System.Diagnostics.Stopwatch"/> ticks at the sim's time scale.</summary>
    public long RoundTrip { get; }

    /// <summary>The think time before the first byte of a final response, in Stopwatch ticks at the sim's time scale.</summary>
    public long Think { get; }

    /// <summary>Every site of <paramref name="world"/> under each name it answers to (case-insensitive, as host names are).</summary>
    public static FrozenDictionary<string, SiteReplies> ByName(SimWorld world)
    {
        ArgumentNullException.ThrowIfNull(world);
        var byName = new Dictionary<string, SiteReplies>(StringComparer.OrdinalIgnoreCase);
        foreach (var site in world.Sites)
        {
            var replies = new SiteReplies(world, site);
            foreach (string name in site.HostNames) byName.Add(name, replies);
        }
        return byName.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Where a request to <paramref name="host"/> over <paramref name="https"/> is redirected when it
    /// asks for the home page, or null when it gets the final response. Null for the home page means
    /// null for every path: <see cref="SimWorld.RedirectFor"/> looks at the scheme and the name only.
    /// </summary>
    public string? HomeRedirect(bool https, string host) => _homeRedirects[Slot(https, IsWww(host))];

    private bool IsWww(string host) => !string.Equals(host, Site.Host, StringComparison.OrdinalIgnoreCase);

    private static int Slot(bool https, bool www) => (https ? 2 : 0) + (www ? 1 : 0);
}
