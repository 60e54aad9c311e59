using Quiver.Fetching;
using Quiver.Input;
using Quiver.Resilience;

namespace Quiver.Crawl;

/// <summary>One fetch through a host's politeness gate, with the retries and the global slot the caller's loop owns.</summary>
internal delegate ValueTask<FetchResult> PoliteFetch(PoliteHost host, UrlRequest request, CancellationToken cancellationToken);

/// <summary>
/// What visiting a page of a host takes, in both the single-machine crawler and a cluster node: the
/// host's robots.txt (loaded once, RFC 9309), its error budget, the fetch, and the failure it counts.
/// Written once so that both keep the same rules; each caller brings its own <see cref="PoliteFetch"/>.
/// </summary>
internal static class HostVisit
{
    /// <summary>The line a robots.txt fetch carries: frontier ids, the pages' lines, start at 1.</summary>
    public const long RobotsLine = 0;
    private const int RobotsRedirects = 5;

    public static async Task<FetchResult> VisitAsync(
        PoliteHost host, long id, Uri url, bool respectRobots, PoliteFetch fetch, PageInspector inspector, CancellationToken cancellationToken)
    {
        if (respectRobots)
        {
            var verdict = await host.RobotsOnce(() => LoadRobotsAsync(host, fetch, inspector, cancellationToken)).ConfigureAwait(false);
            if (verdict.BlockedReason is { } blocked)
                return Skipped(id, url, verdict.Kind, blocked);
            if (!verdict.Rules.IsAllowed(url))
                return Skipped(id, url, FetchErrorKind.RobotsDisallowed, "disallowed by robots.txt");
        }
        if (host.SkipReason is { } reason)
            return Skipped(id, url, FetchErrorKind.HostSkipped, reason);

        var result = await fetch(host, new UrlRequest(id, url.AbsoluteUri, url, null), cancellationToken).ConfigureAwait(false);
        if (result.Error != FetchErrorKind.Cancelled && FetchRetryPipeline.IsRetryable(result))
            host.CountFailure(Describe(result));
        return result;
    }

    /// <summary>RFC 9309 §2.3.1: a 2xx is parsed, a 4xx means no rules, anything else (5xx, no answer) means keep out.</summary>
    private static async Task<RobotsVerdict> LoadRobotsAsync(
        PoliteHost host, PoliteFetch fetch, PageInspector inspector, CancellationToken cancellationToken)
    {
        var url = new Uri(host.Origin, "/robots.txt");
        var result = await fetch(host, new UrlRequest(RobotsLine, url.AbsoluteUri, url, null), cancellationToken).ConfigureAwait(false);
        // The address guard refuses the host itself, so its pages too: their records say that, not "robots.txt unreachable".
        if (result.Error == FetchErrorKind.BlockedAddress)
            return new RobotsVerdict(RobotsRules.DisallowAll, result.ErrorMessage, FetchErrorKind.BlockedAddress);
        // RFC 9309 §2.3.1.2: follow at least five redirects, to other hosts too (the fetcher stops
        // at another host's door for pages only, so that their politeness applies).
        for (int hop = 0; hop < RobotsRedirects && result.Error is null && result.RedirectTo is { } next; hop++)
        {
            var target = new Uri(next);
            result = await fetch(host, new UrlRequest(RobotsLine, target.AbsoluteUri, target, null), cancellationToken).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (result.Error is null && result.Status is >= 200 and < 300)
        {
            var rules = RobotsRules.Parse(inspector.FactsFor(result)?.RobotsText ?? "", inspector.ProductToken);
            if (rules.CrawlDelay is { } crawlDelay) host.ApplyCrawlDelay(crawlDelay);
            return new RobotsVerdict(rules, null);
        }
        if (result.Error is null && result.Status is >= 400 and < 500 and not 429)
            return new RobotsVerdict(RobotsRules.AllowAll, null);
        return new RobotsVerdict(RobotsRules.DisallowAll, $"robots.txt unreachable ({Describe(result)}): the host is treated as disallowing all, per RFC 9309");
    }

    private static FetchResult Skipped(long id, Uri url, FetchErrorKind kind, string message) =>
        new FetchResult { Line = id, Url = url.AbsoluteUri }.Fail(kind, message);

    private static string Describe(FetchResult result) =>
        result.Error is { } kind ? $"{kind.ToWireName()}: {result.ErrorMessage}" : $"status {result.Status}";
}
