using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Quiver.Fetching;

namespace Quiver.Cli.Commands;

/// <summary>The HTTP client flags shared by every command that fetches; maps them onto <see cref="FetchOptions"/>.</summary>
internal sealed class HttpOptionSet
{
    private static readonly FetchOptions Defaults = new();

    /// <param name="denyPrivate">The default of <c>--deny-private</c>: on for crawl (links lead anywhere), off for fetch and race (users list their own hosts).</param>
    public HttpOptionSet(bool denyPrivate = false)
    {
        DenyPrivate = new("--deny-private")
        {
            Description = "Refuse to connect to loopback, link-local, private, CGNAT, multicast and unspecified addresses, after DNS "
                + "(--resolve addresses are trusted); '--deny-private false' turns it off"
                + (denyPrivate ? " (default: on)" : " (default: off)"),
            DefaultValueFactory = _ => denyPrivate,
        };
    }

    public Option<bool> DenyPrivate { get; }

    public Option<string[]> AllowAddresses { get; } = new("--allow-address")
    {
        Description = "An address or CIDR range to connect to despite --deny-private or --deny-address (repeatable)",
    };

    public Option<string[]> DenyAddresses { get; } = new("--deny-address")
    {
        Description = "An address or CIDR range never to connect to, in addition to --deny-private (repeatable)",
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds allowed for a whole fetch (redirects and body included)",
        DefaultValueFactory = _ => Defaults.Timeout.TotalSeconds,
    };

    public Option<double> ConnectTimeout { get; } = new("--connect-timeout")
    {
        Description = "Seconds allowed for a TCP connect",
        DefaultValueFactory = _ => Defaults.ConnectTimeout.TotalSeconds,
    };

    public Option<int> MaxRedirects { get; } = new("--max-redirects")
    {
        Description = "Redirects followed before a too-many-redirects error",
        DefaultValueFactory = _ => Defaults.MaxRedirects,
    };

    public Option<string> MaxBody { get; } = new("--max-body")
    {
        Description = "Largest body accepted (bytes; K, M or G suffix)",
        DefaultValueFactory = _ => "32M",
    };

    public Option<string> UserAgent { get; } = new("--user-agent", "-A")
    {
        Description = "User-Agent header",
        DefaultValueFactory = _ => FetchOptions.DefaultUserAgent,
    };

    public Option<string?> Contact { get; } = new("--contact")
    {
        Description = $"A URL where site owners can reach you; added to the User-Agent as '{FetchOptions.Product} (+URL)'",
    };

    public Option<string[]> Headers { get; } = new("--header", "-H")
    {
        Description = "Extra request header 'Name: value' (repeatable)",
    };

    public Option<string[]> Resolve { get; } = new("--resolve")
    {
        Description = "HOST:PORT:ADDRESS, as curl's --resolve (repeatable)",
    };

    public Option<FileInfo?> ResolveFile { get; } = new("--resolve-file")
    {
        Description = "A file of HOST:PORT:ADDRESS lines (as 'quiver sim' writes)",
    };

    public Option<FileInfo?> CaCert { get; } = new("--ca-cert")
    {
        Description = "PEM or DER CA certificate to trust in addition to the system's",
    };

    public Option<bool> Insecure { get; } = new("--insecure", "-k")
    {
        Description = "Accept any server certificate (testing only)",
    };

    public Option<bool> Http2 { get; } = new("--http2")
    {
        Description = "Offer HTTP/2 (negotiated over TLS)",
    };

    public Option<int?> PerHost { get; } = new("--per-host")
    {
        Description = "Most connections at once to one host (default unlimited)",
    };

    public Option<int> MaxConnections { get; } = new("--max-connections")
    {
        Description = "Most connections open at once across all hosts; the least recently used idle ones are closed past it",
        DefaultValueFactory = _ => FetchOptions.DefaultMaxOpenConnections,
    };

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Timeout, ConnectTimeout, MaxRedirects, MaxBody, UserAgent, Contact, Headers, Resolve, ResolveFile, CaCert, Insecure, Http2, PerHost, MaxConnections, DenyPrivate, AllowAddresses, DenyAddresses })
            command.Options.Add(option);
    }

    /// <summary>Reads the flags into options; a bad value is a <see cref="UsageException"/>.</summary>
    public FetchOptions Read(ParseResult parse)
    {
        var resolve = new List<ResolveEntry>();
        try
        {
            foreach (string entry in parse.GetValue(Resolve) ?? [])
                resolve.Add(ResolveEntry.Parse(entry));
            if (parse.GetValue(ResolveFile) is { } file)
            {
                if (!file.Exists) throw new UsageException($"resolve file not found: {file.FullName}");
                foreach (string line in File.ReadLines(file.FullName))
                {
                    string trimmed = line.Trim();
                    if (trimmed.Length == 0 || trimmed[0] == '#') continue;
                    resolve.Add(ResolveEntry.Parse(trimmed));
                }
            }
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (string header in parse.GetValue(Headers) ?? [])
        {
            int colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw new UsageException($"--header wants 'Name: value', got '{header}'");
            headers.Add(new(header[..colon].Trim(), header[(colon + 1)..].Trim()));
        }

        if (parse.GetValue(CaCert) is { } ca) RequireCertificate(ca);

        try
        {
            return new FetchOptions
            {
                Timeout = Seconds(parse.GetValue(Timeout), "--timeout"),
                ConnectTimeout = Seconds(parse.GetValue(ConnectTimeout), "--connect-timeout"),
                MaxRedirects = parse.GetValue(MaxRedirects),
                MaxBodyBytes = ParseSize(parse.GetValue(MaxBody) ?? "32M"),
                UserAgent = WithContact(parse.GetValue(UserAgent) ?? FetchOptions.DefaultUserAgent, parse.GetValue(Contact)),
                Headers = headers,
                Resolve = resolve,
                CaCertificateFile = parse.GetValue(CaCert)?.FullName,
                Insecure = parse.GetValue(Insecure),
                Http2 = parse.GetValue(Http2),
                MaxConnectionsPerHost = parse.GetValue(PerHost) ?? int.MaxValue,
                MaxOpenConnections = parse.GetValue(MaxConnections),
                DenyPrivate = parse.GetValue(DenyPrivate),
                AllowAddresses = parse.GetValue(AllowAddresses) ?? [],
                DenyAddresses = parse.GetValue(DenyAddresses) ?? [],
            }.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// Loads the CA file once as the fetcher will (a PEM bundle or one DER certificate), so that a
    /// wrong file is a usage error now rather than a cryptography error once the run has begun.
    /// </summary>
    private static void RequireCertificate(FileInfo file)
    {
        if (!file.Exists) throw new UsageException($"CA certificate file not found: {file.FullName}");
        try
        {
            var certificates = CaCertificates.Load(file.FullName);
            bool empty = certificates.Count == 0;
            foreach (var certificate in certificates) certificate.Dispose();
            if (empty) throw new CryptographicException();
        }
        catch (CryptographicException)
        {
            throw new UsageException($"--ca-cert wants a PEM or DER certificate, and {file.FullName} is not one");
        }
    }

    /// <summary>The default agent becomes "Quiver/VERSION (+URL)"; a custom one gets " (+URL)" appended.</summary>
    internal static string WithContact(string userAgent, string? text)
    {
        if (text is null) return userAgent;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var contact) || contact.Scheme is not ("http" or "https" or "mailto"))
            throw new UsageException($"--contact wants an absolute http(s) or mailto URL, got '{text}'");
        string product = userAgent == FetchOptions.DefaultUserAgent ? FetchOptions.Product : userAgent;
        return $"{product} (+{contact.OriginalString})";
    }

    private static TimeSpan Seconds(double value, string flag) =>
        value > 0 && double.IsFinite(value) ? TimeSpan.FromSeconds(value) : throw new UsageException($"{flag} must be a positive number of seconds");

    /// <summary>"1048576", "512K", "32M", "1G".</summary>
    internal static long ParseSize(string text)
    {
        string trimmed = text.Trim();
        long multiplier = 1;
        if (trimmed.Length > 0 && char.ToUpperInvariant(trimmed[^1]) is 'K' or 'M' or 'G')
        {
            multiplier = char.ToUpperInvariant(trimmed[^1]) switch { 'K' => 1024L, 'M' => 1024L * 1024, _ => 1024L * 1024 * 1024 };
            trimmed = trimmed[..^1];
        }
        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value <= 0)
            throw new UsageException($"--max-body wants a size such as 1048576, 512K or 32M, got '{text}'");
        return (long)(value * multiplier);
    }
}
