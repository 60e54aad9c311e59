using System.Reflection;

namespace Quiver.Fetching;

/// <summary>
/// Everything that shapes one HTTP fetch, shared by all strategies so that they differ only in how
/// many requests run at once and where. Validated once by <see cref="Validate"/>; serialisable so
/// that worker processes fetch with exactly the parent's settings.
/// </summary>
public sealed record FetchOptions
{
    /// <summary>Whole-fetch budget: every redirect hop and the body. Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Budget for one TCP connect (name resolution excluded). Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Redirects followed before the fetch fails with too-many-redirects. Default 10; 0 disables following.</summary>
    public int MaxRedirects { get; init; } = 10;

    /// <summary>
    /// Follow only redirects to the same host, as the crawler's politeness counts hosts (the name, and
    /// the port unless it is the scheme's default, so http → https stays). A redirect elsewhere ends the fetch with its
    /// 3xx status and the target in <see cref="FetchResult.RedirectTo"/>: a crawler then visits it in
    /// that host's own turn, after that host's robots.txt. Default off (a list fetch follows all).
    /// </summary>
    public bool RedirectsStayOnHost { get; init; }

    /// <summary>
    /// Retries of failures a later try may not see (timeouts, resets, refused connects, 5xx, 429),
    /// with exponential backoff and Retry-After. Null (the default) tries each URL once.
    /// </summary>
    public Resilience.RetryOptions? Retry { get; init; }

    /// <summary>Largest body accepted, in bytes, after decoding. Default 32 MiB.</summary>
    public long MaxBodyBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>The User-Agent header. Default names Quiver and its version.</summary>
    public string UserAgent { get; init; } = DefaultUserAgent;

    /// <summary>Extra request headers, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Host:port → address overrides, as curl's <c>--resolve</c>.</summary>
    public IReadOnlyList<ResolveEntry> Resolve { get; init; } = [];

    /// <summary>
    /// Refuse to connect to loopback, link-local, private (RFC 1918, RFC 4193), carrier-grade NAT,
    /// multicast and unspecified addresses, and their IPv4-mapped forms: the guard against a page or
    /// a redirect steering a crawl at the machine's own network. Judged on the address actually
    /// connected to, after DNS, so neither DNS rebinding nor a redirect gets around it; the refusal is
    /// a <see cref="FetchErrorKind.BlockedAddress"/> result and sends no packet. Addresses pinned
    /// in <see cref="Resolve"/> are trusted. Default off (the crawl command turns it on).
    /// </summary>
    public bool DenyPrivate { get; init; }

    /// <summary>Addresses or CIDR ranges connected to even when <see cref="DenyPrivate"/> or <see cref="DenyAddresses"/> would refuse them.</summary>
    public IReadOnlyList<string> AllowAddresses { get; init; } = [];

    /// <summary>Addresses or CIDR ranges refused in addition to what <see cref="DenyPrivate"/> refuses (whether it is on or not).</summary>
    public IReadOnlyList<string> DenyAddresses { get; init; } = [];

    /// <summary>
    /// Test seam: the resolver behind the DNS cache, so that a test can give a name any answer
    /// (a rebinding to a denied address) without a DNS server. Not serialised: worker processes resolve for real.
    /// </summary>
    internal Func<string, CancellationToken, Task<System.Net.IPAddress[]>>? NameLookup { get; init; }

    /// <summary>
    /// Test seam: once the address guard has judged the address a connection would go to, the
    /// connection goes to the endpoint this gives for the request's URL instead, whatever its host (a
    /// name or any literal) and port. It keeps generated URLs on loopback: the connect callback refuses
    /// any endpoint it gives outside loopback.
    /// </summary>
    internal Func<Uri, System.Net.IPEndPoint>? ConnectEverythingTo { get; init; }

    /// <summary>A PEM or DER file holding a CA certificate to trust in addition to the system's.</summary>
    public string? CaCertificateFile { get; init; }

    /// <summary>Accept any server certificate. For testing only.</summary>
    public bool Insecure { get; init; }

    /// <summary>
    /// Offer HTTP/2 (negotiated by ALPN over TLS; plain http stays on HTTP/1.1). The blocking path
    /// (the threads strategy) stays on HTTP/1.1: .NET has no synchronous HTTP/2.
    /// </summary>
    public bool Http2 { get; init; }

    /// <summary>Most connections open at once to one host:port. Default unlimited.</summary>
    public int MaxConnectionsPerHost { get; init; } = int.MaxValue;

    /// <summary>
    /// Most TCP connections open at once across all hosts; past it the least recently used idle ones
    /// are closed. Default 16,384: enough to keep one connection alive to each of ten thousand hosts,
    /// under common descriptor limits. Lower it to bound memory on lists over many hosts (an idle
    /// connection costs about 11 KB over HTTP, 50 KB over HTTPS).
    /// </summary>
    public int MaxOpenConnections { get; init; } = DefaultMaxOpenConnections;

    public const int DefaultMaxOpenConnections = 16_384;

    /// <summary>Parse the page title into <see cref="FetchResult.Title"/>.</summary>
    public bool ExtractTitle { get; init; }

    /// <summary>Parse absolute links into <see cref="FetchResult.Links"/>.</summary>
    public bool ExtractLinks { get; init; }

    /// <summary>Save each final response body into this folder.</summary>
    public string? SaveBodiesDirectory { get; init; }

    /// <summary>"Quiver/VERSION": the product and the version <c>--version</c> prints (Directory.Build.props), without its commit suffix.</summary>
    public static readonly string Product =
        $"Quiver/{typeof(FetchOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]}";

    public static readonly string DefaultUserAgent = $"{Product} (+bulk URL fetcher)";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public FetchOptions Validate()
    {
        if (Timeout <= TimeSpan.Zero) throw new ArgumentException("timeout must be positive");
        if (ConnectTimeout <= TimeSpan.Zero) throw new ArgumentException("connect timeout must be positive");
        if (MaxRedirects < 0) throw new ArgumentException("max redirects must be 0 or more");
        if (MaxBodyBytes <= 0) throw new ArgumentException("max body must be positive");
        if (MaxConnectionsPerHost <= 0) throw new ArgumentException("max connections per host must be positive");
        if (MaxOpenConnections <= 0) throw new ArgumentException("max open connections must be positive");
        foreach (string range in AllowAddresses) AddressGuard.ParseRange(range, "--allow-address");
        foreach (string range in DenyAddresses) AddressGuard.ParseRange(range, "--deny-address");
        Retry?.Validate();
        if (CaCertificateFile is { } ca && !File.Exists(ca)) throw new ArgumentException($"CA certificate file not found: {ca}");
        return this;
    }
}

/// <summary>One <c>--resolve HOST:PORT:ADDRESS</c> entry.</summary>
public sealed record ResolveEntry(string Host, int Port, string Address)
{
    /// <summary>Parses curl's form HOST:PORT:ADDRESS (an IPv6 address may be bracketed).</summary>
    public static ResolveEntry Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = text.IndexOf(':', StringComparison.Ordinal);
        int second = first < 0 ? -1 : text.IndexOf(':', first + 1);
        if (first <= 0 || second < 0)
            throw new FormatException($"--resolve wants HOST:PORT:ADDRESS, got '{text}'");
        string host = text[..first];
        if (!int.TryParse(text.AsSpan(first + 1, second - first - 1), out int port) || port is < 1 or > 65535)
            throw new FormatException($"--resolve port is not a number from 1 to 65535 in '{text}'");
        string address = text[(second + 1)..].Trim('[', ']');
        if (!System.Net.IPAddress.TryParse(address, out _))
            throw new FormatException($"--resolve address is not an IP address in '{text}'");
        return new ResolveEntry(host.ToLowerInvariant(), port, address);
    }
}
