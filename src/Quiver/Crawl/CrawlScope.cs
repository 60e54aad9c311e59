using System.Text.RegularExpressions;

namespace Quiver.Crawl;

/// <summary>Decides whether a discovered link is inside the crawl: scope by host or domain, then include and exclude patterns.</summary>
/// <remarks>
/// "Domain" is the seed's host less a leading "www.", with its subdomains; a public-suffix list
/// would find registrable domains exactly, but none is packaged for .NET on the feeds we build from.
/// </remarks>
public sealed class CrawlScope
{
    private readonly ScopeKind _kind;
    private readonly HashSet<string> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _domains = [];
    private readonly Regex[] _include;
    private readonly Regex[] _exclude;

    public CrawlScope(CrawlSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _kind = settings.Scope;
        foreach (string seed in settings.Seeds)
        {
            if (UrlNormalizer.Normalize(seed) is not { } uri) continue;
            _hosts.Add(uri.Host);
            _domains.Add(uri.Host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? uri.Host[4..] : uri.Host);
        }
        _include = [.. settings.Include.Select(p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))];
        _exclude = [.. settings.Exclude.Select(p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))];
    }

    /// <summary>
    /// A seed that redirected (http to https, apex to www) brings its final host into a host scope,
    /// as a user who named the site means the site wherever it lives.
    /// </summary>
    public void AddSeedDestination(Uri finalUrl)
    {
        ArgumentNullException.ThrowIfNull(finalUrl);
        _hosts.Add(finalUrl.Host);
    }

    public bool Allows(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        bool inScope = _kind switch
        {
            ScopeKind.Host => _hosts.Contains(url.Host),
            ScopeKind.Domain => _domains.Exists(d => url.Host.Equals(d, StringComparison.OrdinalIgnoreCase)
                || url.Host.EndsWith("." + d, StringComparison.OrdinalIgnoreCase)),
            _ => true,
        };
        if (!inScope) return false;
        string text = url.AbsoluteUri;
        if (_include.Length > 0 && !Array.Exists(_include, r => r.IsMatch(text))) return false;
        return !Array.Exists(_exclude, r => r.IsMatch(text));
    }
}
