using Quiver.Crawl;

namespace Quiver.Cluster.Jobs;

/// <summary>Which host grain owns a URL, and the grain's key, which names the job too.</summary>
internal static class GrainKeys
{
    /// <summary>The host key of <paramref name="url"/> under <paramref name="scope"/>.</summary>
    /// <remarks>
    /// The registrable domain is taken as the host's last two labels, so www.a.example and a.example
    /// share a grain. Under a two-label public suffix (co.uk) this groups more hosts than it should,
    /// which errs on the polite side; a public-suffix list would be exact, but none is packaged for
    /// .NET on the feeds we build from (as <see cref="CrawlScope"/> notes too).
    /// </remarks>
    public static string HostKey(Uri url, GrainScope scope)
    {
        string host = UrlNormalizer.HostKey(url);
        if (scope == GrainScope.Host || url.HostNameType != UriHostNameType.Dns) return host;
        string[] labels = url.IdnHost.Split('.');
        return labels.Length <= 2 ? url.IdnHost : string.Join('.', labels[^2..]);
    }

    public static string GrainKey(long job, string hostKey) => $"{job}/{hostKey}";

    public static (long Job, string HostKey) Parse(string grainKey)
    {
        int slash = grainKey.IndexOf('/', StringComparison.Ordinal);
        return (long.Parse(grainKey.AsSpan(0, slash), System.Globalization.CultureInfo.InvariantCulture), grainKey[(slash + 1)..]);
    }
}
