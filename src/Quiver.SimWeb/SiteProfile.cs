namespace Quiver.SimWeb;

/// <summary>
/// One simulated site: how far away it is, how long it thinks, how much it sends and how fast, how
/// it redirects and whether it fails. All durations are at time scale 1; the server and the limit
/// multiply them by the same <see cref="SimWebOptions.TimeScale"/>.
/// </summary>
public sealed record SiteProfile
{
    /// <summary>Position in the top-sites list (1 = most linked).</summary>
    public required int Rank { get; init; }

    /// <summary>The host name as the list gives it (e.g. "youtube.com" or "www.google.com").</summary>
    public required string Host { get; init; }

    /// <summary>Network round trip: one for each TCP handshake, one more for TLS, one per request.</summary>
    public required TimeSpan RoundTrip { get; init; }

    /// <summary>Server time between the request and the first byte of the final response.</summary>
    public required TimeSpan Think { get; init; }

    /// <summary>Size of the page (the final response of a healthy site).</summary>
    public required int BodyBytes { get; init; }

    /// <summary>Bytes per second one connection to this site carries.</summary>
    public required double BandwidthBytesPerSecond { get; init; }

    /// <summary>Plain http answers with a redirect to https (as most sites do).</summary>
    public required bool RedirectsToHttps { get; init; }

    /// <summary>The bare domain answers with a redirect to www (only for apex hosts).</summary>
    public required bool RedirectsToWww { get; init; }

    public required SiteFailure Failure { get; init; }

    /// <summary>The page title served in the HTML.</summary>
    public string Title => $"{Host} (simulated, rank {Rank})";

    /// <summary>The name a www redirect leads to.</summary>
    public string WwwHost => "www." + Host;

    /// <summary>Every name this site answers to.</summary>
    public IEnumerable<string> HostNames => RedirectsToWww ? [Host, WwwHost] : [Host];

    /// <summary>Time to send <paramref name="bytes"/> over one connection to this site.</summary>
    public TimeSpan TransferTime(long bytes) => TimeSpan.FromTicks((long)Math.Round(bytes * TimeSpan.TicksPerSecond / BandwidthBytesPerSecond));
}
