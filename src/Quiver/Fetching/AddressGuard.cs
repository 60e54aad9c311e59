using System.Net;
using System.Net.Sockets;

namespace Quiver.Fetching;

/// <summary>
/// Decides, for the address a connection is about to be opened to, whether it may be: the guard
/// against server-side request forgery (a page or a redirect steering the fetcher at cloud metadata
/// on 169.254.169.254 or an admin panel on 10.x). It judges resolved addresses, in the connect
/// callback, so neither a DNS answer that changes between lookups nor a redirect gets around it.
/// </summary>
/// <remarks>
/// Ranges are <see cref="IPNetwork"/>s from the runtime (since .NET 8) rather than IPNetwork2's type:
/// the runtime's needs no package and is AOT-safe, while IPNetwork2 guesses a classful prefix for an address
/// written without one (10.0.0.1 would allow all of 10.0.0.0/8).
/// </remarks>
internal sealed class AddressGuard
{
    /// <summary>What <see cref="FetchOptions.DenyPrivate"/> refuses, each with the name its messages use.</summary>
    internal static readonly (IPNetwork Range, string Name)[] PrivateRanges =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified ('this network')"),
        (IPNetwork.Parse("10.0.0.0/8"), "private (RFC 1918)"),
        (IPNetwork.Parse("100.64.0.0/10"), "carrier-grade NAT (RFC 6598)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local (cloud metadata lives here)"),
        (IPNetwork.Parse("172.16.0.0/12"), "private (RFC 1918)"),
        // Protocol assignments: also where some clouds serve instance metadata (192.0.0.192).
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignments"),
        (IPNetwork.Parse("192.168.0.0/16"), "private (RFC 1918)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved or broadcast"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local"),
        (IPNetwork.Parse("fc00::/7"), "unique local (RFC 4193)"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    // Where an IPv6 address carries an IPv4 one that a translator on the path would connect to.
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    private readonly bool _denyPrivate;
    private readonly IPNetwork[] _denied;
    private readonly IPNetwork[] _allowed;

    private AddressGuard(bool denyPrivate, IPNetwork[] denied, IPNetwork[] allowed)
    {
        _denyPrivate = denyPrivate;
        _denied = denied;
        _allowed = allowed;
    }

    /// <summary>The guard <paramref name="options"/> ask for, or null when they ask for none (the fetcher then checks nothing).</summary>
    public static AddressGuard? For(FetchOptions options)
    {
        if (!options.DenyPrivate && options.DenyAddresses.Count == 0) return null;
        return new AddressGuard(
            options.DenyPrivate,
            [.. options.DenyAddresses.Select(text => ParseRange(text, "--deny-address"))],
            [.. options.AllowAddresses.Select(text => ParseRange(text, "--allow-address"))]);
    }

    /// <summary>
    /// The addresses of <paramref name="addresses"/> that may be connected to, in their order; throws
    /// <see cref="BlockedAddressException"/> when none may, before any packet is sent.
    /// </summary>
    public IPAddress[] Filter(IPAddress[] addresses, string host, int port)
    {
        (IPAddress Address, string Reason)? firstRefused = null;
        List<IPAddress>? allowed = null;
        for (int i = 0; i < addresses.Length; i++)
        {
            if (BlockReason(addresses[i]) is { } reason)
            {
                firstRefused ??= (addresses[i], reason);
                // Copy the ones before only once one is refused: the common case allocates nothing.
                allowed ??= [.. addresses.AsSpan(0, i)];
                continue;
            }
            allowed?.Add(addresses[i]);
        }
        if (firstRefused is not { } refused) return addresses;
        if (allowed is { Count: > 0 }) return [.. allowed];
        string what = IPAddress.TryParse(host, out _) ? $"{Unwrap(refused.Address)}" : $"its address {Unwrap(refused.Address)}";
        throw new BlockedAddressException($"refused to connect to {host}:{port}: {what} {refused.Reason} (--allow-address punches a hole)");
    }

    /// <summary>Why <paramref name="address"/> is refused ("is a loopback address"), or null when it may be connected to.</summary>
    public string? BlockReason(IPAddress address)
    {
        var plain = Unwrap(address);
        foreach (var range in _allowed)
        {
            if (range.Contains(plain) || range.Contains(address)) return null;
        }
        foreach (var range in _denied)
        {
            if (range.Contains(plain) || range.Contains(address)) return $"is in the denied range {range}";
        }
        return _denyPrivate && PrivateRangeOf(address) is { } name ? $"is a {name} address" : null;
    }

    /// <summary>The name of the non-public range <paramref name="address"/> falls in (seen through IPv4-mapped and NAT64 forms), or null for a public address.</summary>
    public static string? PrivateRangeOf(IPAddress address)
    {
        var plain = Unwrap(address);
        foreach (var (range, name) in PrivateRanges)
        {
            if (range.Contains(plain)) return name;
        }
        return null;
    }

    /// <summary>Parses "10.0.0.0/8", "fd00::/8" or a bare address (one host); throws <see cref="ArgumentException"/> naming <paramref name="what"/>.</summary>
    public static IPNetwork ParseRange(string text, string what)
    {
        string trimmed = text.Trim();
        if (!trimmed.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(trimmed, out var single))
            return new IPNetwork(Unwrap(single), Unwrap(single).AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        if (IPNetwork.TryParse(trimmed, out var range))
        {
            // The runtime drops bits past the prefix; a range wider than written must not be allowed or denied unnoticed.
            string written = trimmed[..trimmed.IndexOf('/', StringComparison.Ordinal)];
            if (IPAddress.TryParse(written, out var address) && !address.Equals(range.BaseAddress))
                throw new ArgumentException($"{what} '{text}' has bits set past its prefix: write {range} for the range or {address}/{(address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)} for the one address");
            return range;
        }
        throw new ArgumentException($"{what} '{text}' is not an address or a CIDR range such as 10.0.0.0/8 or fd00::/8");
    }

    /// <summary>
    /// The IPv4 address an IPv6 one stands for when the connection would reach it (IPv4-mapped
    /// ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d); any other address unchanged, without its zone.
    /// </summary>
    private static IPAddress Unwrap(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (Nat64.Contains(address))
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            return new IPAddress(bytes[12..]);
        }
        return address;
    }
}

/// <summary>Thrown from the connect callback when every address of a host is refused by the <see cref="AddressGuard"/>; no packet was sent.</summary>
public sealed class BlockedAddressException : IOException
{
    public BlockedAddressException() { }
    public BlockedAddressException(string message) : base(message) { }
    public BlockedAddressException(string message, Exception inner) : base(message, inner) { }
}
