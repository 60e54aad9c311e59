using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Quiver.SimWeb;

/// <summary>
/// Draws each site's profile from the seed and the site's name alone, so a site keeps its profile
/// whatever list it appears in, and the same seed gives the same web everywhere.
/// </summary>
/// <remarks>
/// The shapes follow what crawls of real sites show: round trips mostly tens of milliseconds with a
/// tail into the hundreds; servers mostly fast with a long tail and a handful taking seconds; pages of
/// tens of kilobytes; most sites redirecting http to https and many bare domains to www; a few percent
/// failing in one of the ways of <see cref="SiteFailure"/>.
/// </remarks>
public static class ProfileGenerator
{
    /// <summary>The seed used when none is given.</summary>
    public const int DefaultSeed = 20260101;

    /// <summary>The top sites rarely fail; the failure draw starts below them so the top-10 race measures fetching.</summary>
    public const int ReliableTopRanks = 10;

    // Failure kinds with their share of all sites: about 6% fail in all.
    private static readonly (SiteFailure Kind, double Share)[] FailureShares =
    [
        (SiteFailure.ConnectionRefused, 0.007),
        (SiteFailure.ResetMidBody, 0.007),
        (SiteFailure.WrongCertificateName, 0.007),
        (SiteFailure.Forbidden, 0.007),
        (SiteFailure.NotFound, 0.007),
        (SiteFailure.TooManyRequests, 0.006),
        (SiteFailure.InternalServerError, 0.006),
        (SiteFailure.ServiceUnavailable, 0.006),
        (SiteFailure.Hang, 0.006),
    ];

    /// <summary>The profile of <paramref name="host"/> at <paramref name="rank"/> for <paramref name="seed"/>.</summary>
    public static SiteProfile Generate(int seed, int rank, string host)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var random = new SplitMix64(SeedFor(seed, host));

        // Round trip: log-normal around 35 ms, and 4% far away (150-400 ms).
        double rttMs = random.NextDouble() < 0.04
            ? random.Between(150, 400)
            : Math.Clamp(random.LogNormal(35, 0.6), 4, 300);

        // Think time: log-normal around 60 ms; 4% slow (0.4-2 s); 1% very slow (2-6 s).
        double tail = random.NextDouble();
        double thinkMs = tail < 0.01 ? random.Between(2000, 6000)
            : tail < 0.05 ? random.Between(400, 2000)
            : Math.Clamp(random.LogNormal(60, 0.8), 5, 400);

        int bodyBytes = (int)Math.Clamp(random.LogNormal(40_000, 0.9), 2_000, 1_000_000);
        double bandwidth = Math.Clamp(random.LogNormal(4_000_000, 0.8), 500_000, 50_000_000);

        bool toHttps = random.NextDouble() < 0.92;
        bool toWww = IsApex(host) && random.NextDouble() < 0.45;

        double failureDraw = random.NextDouble();
        var failure = SiteFailure.None;
        if (rank > ReliableTopRanks)
        {
            double cumulative = 0;
            foreach (var (kind, share) in FailureShares)
            {
                cumulative += share;
                if (failureDraw < cumulative)
                {
                    failure = kind;
                    break;
                }
            }
        }
        // A certificate problem only shows on https: such a site always sends http visitors there.
        if (failure == SiteFailure.WrongCertificateName) toHttps = true;

        return new SiteProfile
        {
            Rank = rank,
            Host = host,
            RoundTrip = TimeSpan.FromMilliseconds(Math.Round(rttMs, 3)),
            Think = TimeSpan.FromMilliseconds(Math.Round(thinkMs, 3)),
            BodyBytes = bodyBytes,
            BandwidthBytesPerSecond = Math.Round(bandwidth),
            RedirectsToHttps = toHttps,
            RedirectsToWww = toWww,
            Failure = failure,
        };
    }

    /// <summary>Profiles for every site of <paramref name="sites"/>, in list order.</summary>
    public static IReadOnlyList<SiteProfile> Generate(int seed, IEnumerable<TopSite> sites)
    {
        ArgumentNullException.ThrowIfNull(sites);
        return [.. sites.Select(site => Generate(seed, site.Rank, site.Host))];
    }

    /// <summary>A bare registrable domain ("apple.com", "bbc.co.uk"), as opposed to "www.x" or "play.google.com".</summary>
    internal static bool IsApex(string host)
    {
        if (host.StartsWith("www.", StringComparison.OrdinalIgnoreCase)) return false;
        string[] labels = host.Split('.');
        return labels.Length == 2
            || (labels.Length == 3 && labels[2].Length == 2 && labels[1] is "co" or "com" or "org" or "net" or "ac" or "gov" or "ne" or "or");
    }

    private static ulong SeedFor(int seed, string host)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{host.ToLowerInvariant()}"), hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }
}
