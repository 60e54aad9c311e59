namespace Quiver.SimWeb;

/// <summary>
/// Computes what the sim will serve, from the same profiles and rules as the server: for each URL
/// the whole redirect chain (a new connection for every hop: one round trip for TCP, one more for
/// TLS; one round trip per request; think time and transfer of the final response), capped by the
/// client's timeout. The slowest URL is the limit; the sum is the total work.
/// </summary>
/// <remarks>
/// Every hop changes scheme or host, so no client can reuse a connection within a chain, and with
/// unlimited concurrency no URL waits for another: the slowest chain is the least possible wall
/// time. Connection refusals cost nothing here because on loopback the refusal is immediate.
/// </remarks>
public static class CriticalPath
{
    /// <summary>The bounds of fetching <paramref name="urls"/> with a client that gives up after <paramref name="clientTimeout"/>.</summary>
    public static RaceLimit Compute(SimWorld world, IEnumerable<Uri> urls, TimeSpan clientTimeout, int maxRedirects = 10)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(urls);
        var costs = urls.Select(url => Cost(world, url, clientTimeout, maxRedirects)).ToList();
        var slowest = costs.Count == 0 ? null : costs.MaxBy(c => c.Time);
        var total = costs.Aggregate(TimeSpan.Zero, (sum, c) => sum + c.Time);
        return new RaceLimit(slowest?.Time ?? TimeSpan.Zero, total, slowest, costs);
    }

    /// <summary>The least time <paramref name="url"/> takes, following redirects as the client does.</summary>
    public static UrlCost Cost(SimWorld world, Uri url, TimeSpan clientTimeout, int maxRedirects = 10)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(url);
        var options = world.Options;
        var time = TimeSpan.Zero;
        var current = url;
        int requests = 0;
        string outcome;
        while (true)
        {
            if (world.Find(current.Host) is not { } site)
            {
                outcome = "dns";
                break;
            }
            if (site.Failure == SiteFailure.ConnectionRefused)
            {
                outcome = "connection-refused";
                break;
            }
            bool https = current.Scheme == Uri.UriSchemeHttps;
            time += options.Scale(site.RoundTrip * (https ? 2 : 1));
            if (https && site.Failure == SiteFailure.WrongCertificateName)
            {
                outcome = "tls";
                break;
            }

            requests++;
            time += options.Scale(site.RoundTrip);
            if (world.RedirectFor(current) is { } next)
            {
                if (requests > maxRedirects)
                {
                    outcome = "too-many-redirects";
                    break;
                }
                current = next;
                continue;
            }

            if (site.Failure == SiteFailure.Hang)
            {
                time += options.HangFor;
                outcome = "timeout";
                break;
            }
            time += options.Scale(FinalResponseTime(site, out outcome));
            break;
        }

        bool timedOut = time >= clientTimeout;
        return new UrlCost(url, timedOut ? clientTimeout : time, requests, timedOut, timedOut ? "timeout" : outcome);
    }

    /// <summary>Think time and transfer of a final response that comes, at time scale 1, exactly as the server serves it.</summary>
    internal static TimeSpan FinalResponseTime(SiteProfile site, out string outcome)
    {
        switch (site.Failure)
        {
            case SiteFailure.ResetMidBody:
                outcome = "connection-reset";
                return site.Think + site.TransferTime(site.BodyBytes / 2);
            default:
                if (site.Failure.StatusCode() is { } status)
                {
                    outcome = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return site.Think + site.TransferTime(SitePages.ErrorPage(site, status).Length);
                }
                outcome = "200";
                return site.Think + site.TransferTime(site.BodyBytes);
        }
    }
}
