namespace Quiver.SimWeb;

/// <summary>
/// The set of simulated sites and the rules both the server and the limit follow: which site a
/// name belongs to, where each URL redirects, and how names map to addresses.
/// </summary>
public sealed class SimWorld
{
    /// <summary>
    /// A name outside the list that answers 204 at once: clients fetch it to load their TLS and
    /// HTTP code before a timed run, and to see that the sim is up.
    /// </summary>
    public const string WarmUpHost = "warm-up.sim.invalid";

    private readonly Dictionary<string, SiteProfile> _byName = new(StringComparer.OrdinalIgnoreCase);

    public SimWorld(IEnumerable<SiteProfile> sites, SimWebOptions options)
    {
        ArgumentNullException.ThrowIfNull(sites);
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        Sites = [.. sites];
        foreach (var site in Sites)
        {
            foreach (string name in site.HostNames)
            {
                if (!_byName.TryAdd(name, site)) throw new ArgumentException($"two sites answer to {name}");
            }
        }
    }

    /// <summary>The web of the shipped top-sites list for the options' seed.</summary>
    public static SimWorld FromTopSites(SimWebOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SimWorld(ProfileGenerator.Generate(options.Seed, TopSite.All), options);
    }

    public SimWebOptions Options { get; }

    public IReadOnlyList<SiteProfile> Sites { get; }

    /// <summary>The site answering to <paramref name="host"/>, or null.</summary>
    public SiteProfile? Find(string host) => _byName.GetValueOrDefault(host);

    /// <summary>The URL a list gives for <paramref name="site"/>: plain http on the bare name, as a crawler starting from domain names begins.</summary>
    public Uri ListUrl(SiteProfile site)
    {
        ArgumentNullException.ThrowIfNull(site);
        return Url(Uri.UriSchemeHttp, site.Host);
    }

    /// <summary>The list URLs of the first <paramref name="count"/> sites.</summary>
    public IReadOnlyList<Uri> TopUrls(int count) => [.. Sites.Take(count).Select(ListUrl)];

    /// <summary>
    /// Where a request for <paramref name="url"/> is redirected, or null when it gets the final
    /// response: first http to https, then the bare domain to www — one extra request each.
    /// </summary>
    public Uri? RedirectFor(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (Find(url.Host) is not { } site) return null;
        if (url.Scheme == Uri.UriSchemeHttp && site.RedirectsToHttps)
            return Url(Uri.UriSchemeHttps, url.Host, url.PathAndQuery);
        if (site.RedirectsToWww && string.Equals(url.Host, site.Host, StringComparison.OrdinalIgnoreCase))
            return Url(url.Scheme, site.WwwHost, url.PathAndQuery);
        return null;
    }

    /// <summary>curl --resolve lines (HOST:PORT:ADDRESS) for every name on both ports, the warm-up name first.</summary>
    public IEnumerable<string> ResolveLines()
    {
        yield return $"{WarmUpHost}:{Options.HttpPort}:{Options.Address}";
        yield return $"{WarmUpHost}:{Options.HttpsPort}:{Options.Address}";
        foreach (var site in Sites)
        {
            string address = (site.Failure == SiteFailure.ConnectionRefused ? Options.RefusedAddress : Options.Address).ToString();
            foreach (string name in site.HostNames)
            {
                yield return $"{name}:{Options.HttpPort}:{address}";
                yield return $"{name}:{Options.HttpsPort}:{address}";
            }
        }
    }

    /// <summary>The warm-up URL over https.</summary>
    public Uri WarmUpUrl => Url(Uri.UriSchemeHttps, WarmUpHost);

    /// <summary>A URL on this sim's ports (default ports are left out, as browsers write them).</summary>
    public Uri Url(string scheme, string host, string pathAndQuery = "/")
    {
        int port = scheme == Uri.UriSchemeHttps ? Options.HttpsPort : Options.HttpPort;
        bool defaultPort = (scheme == Uri.UriSchemeHttps && port == 443) || (scheme == Uri.UriSchemeHttp && port == 80);
        return new Uri(defaultPort ? $"{scheme}://{host}{pathAndQuery}" : $"{scheme}://{host}:{port}{pathAndQuery}");
    }
}
