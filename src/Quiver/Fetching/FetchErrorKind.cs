using System.Text.Json.Serialization;

namespace Quiver.Fetching;

/// <summary>Why a URL produced no usable response. Every per-URL failure maps to exactly one kind.</summary>
/// <remarks>
/// The JSON and CSV names are the kebab-case forms given by <see cref="FetchErrorKinds.ToWireName"/>; they are part of the output contract.
/// JSON takes them from the <see cref="JsonStringEnumMemberNameAttribute"/>s, which keep FetchResult on System.Text.Json's
/// source-generated fast path (a custom converter on the property took it off, at about 300 bytes and a metadata walk per result line).
/// </remarks>
public enum FetchErrorKind
{
    /// <summary>The input line is not a fetchable http(s) URL.</summary>
    [JsonStringEnumMemberName("invalid-url")]
    InvalidUrl,
    /// <summary>The host name did not resolve.</summary>
    [JsonStringEnumMemberName("dns")]
    Dns,
    /// <summary>The server actively refused the TCP connection.</summary>
    [JsonStringEnumMemberName("connection-refused")]
    ConnectionRefused,
    /// <summary>The TCP connection was not established within the connect timeout.</summary>
    [JsonStringEnumMemberName("connect-timeout")]
    ConnectTimeout,
    /// <summary>The TLS handshake failed: an untrusted or wrong-name certificate, or a protocol mismatch.</summary>
    [JsonStringEnumMemberName("tls")]
    Tls,
    /// <summary>The whole request (all redirects and the body) did not finish within the timeout.</summary>
    [JsonStringEnumMemberName("timeout")]
    Timeout,
    /// <summary>The connection was reset or closed before the response was complete.</summary>
    [JsonStringEnumMemberName("connection-reset")]
    ConnectionReset,
    /// <summary>The server spoke something that is not valid HTTP.</summary>
    [JsonStringEnumMemberName("protocol")]
    Protocol,
    /// <summary>More redirects than the configured maximum.</summary>
    [JsonStringEnumMemberName("too-many-redirects")]
    TooManyRedirects,
    /// <summary>The body exceeded the configured maximum size.</summary>
    [JsonStringEnumMemberName("body-too-large")]
    BodyTooLarge,
    /// <summary>The run was cancelled before this URL finished.</summary>
    [JsonStringEnumMemberName("cancelled")]
    Cancelled,
    /// <summary>The worker process fetching this URL died before reporting it.</summary>
    [JsonStringEnumMemberName("worker-crashed")]
    WorkerCrashed,
    /// <summary>A response handler threw.</summary>
    [JsonStringEnumMemberName("handler")]
    Handler,
    /// <summary>Anything not classified above; the message says what.</summary>
    [JsonStringEnumMemberName("other")]
    Other,
    /// <summary>The crawler did not fetch the URL because the host's robots.txt disallows it.</summary>
    [JsonStringEnumMemberName("robots-disallowed")]
    RobotsDisallowed,
    /// <summary>The crawler skipped the URL because its host used up its error budget.</summary>
    [JsonStringEnumMemberName("host-skipped")]
    HostSkipped,
    /// <summary>The body's Content-Encoding (gzip, deflate, br) did not decode: the body is not in the coding it claims.</summary>
    [JsonStringEnumMemberName("decoding")]
    Decoding,
    /// <summary>A redirect's Location could not be followed: not a URL, or not an http(s) one. The redirects before it are kept.</summary>
    [JsonStringEnumMemberName("invalid-redirect")]
    InvalidRedirect,
    /// <summary>No route to the address: network or host unreachable, or an address that cannot be connected to (0.0.0.1, a link-local IPv6 address without a usable zone).</summary>
    [JsonStringEnumMemberName("unreachable")]
    Unreachable,
    /// <summary>The address connected to (after DNS) is one the address guard refuses: private, loopback, link-local… (<see cref="FetchOptions.DenyPrivate"/>).</summary>
    [JsonStringEnumMemberName("blocked-address")]
    BlockedAddress,
}

/// <summary>Wire names for <see cref="FetchErrorKind"/>.</summary>
public static class FetchErrorKinds
{
    private static readonly string[] WireNames =
    [
        "invalid-url", "dns", "connection-refused", "connect-timeout", "tls", "timeout", "connection-reset",
        "protocol", "too-many-redirects", "body-too-large", "cancelled", "worker-crashed", "handler", "other",
        "robots-disallowed", "host-skipped", "decoding", "invalid-redirect", "unreachable", "blocked-address",
    ];

    /// <summary>The kebab-case name used in JSON lines and CSV.</summary>
    public static string ToWireName(this FetchErrorKind kind) => WireNames[(int)kind];
}
