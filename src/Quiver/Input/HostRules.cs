using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;

namespace Quiver.Input;

/// <summary>
/// The checks on a parsed URL's host and port that <see cref="Uri"/> does not make but sending
/// would trip over: a name that is not valid under IDNA, a DNS name or label over its length, port 0,
/// an IPv6 link-local address without a usable zone, an IPv4 address in 0.0.0.0/8. Each failure is a
/// readable reason, so the line becomes an <c>invalid-url</c> record instead of a later, vaguer failure.
/// </summary>
internal static class HostRules
{
    /// <summary>
    /// The mapping the runtime applies: UTS #46 through ICU in a process with globalization data, the
    /// RFC 3490 checks (label lengths, bidirectional text) in invariant mode, as Quiver's own builds run.
    /// STD3 rules stay off, as in browsers and curl: underscores occur in real host names. Shared:
    /// GetAscii keeps no state between calls.
    /// </summary>
    private static readonly IdnMapping Idna = new() { AllowUnassigned = false, UseStd3AsciiRules = false };

    private static readonly Lazy<HashSet<string>> InterfaceZones = new(ReadInterfaceZones);

    /// <summary>Why <paramref name="uri"/> cannot be sent, or null when it can.</summary>
    public static string? Check(Uri uri)
    {
        if (uri.Port == 0) return "port 0 cannot be connected to (ports run from 1 to 65535)";
        return uri.HostNameType switch
        {
            UriHostNameType.IPv6 => CheckIPv6(uri),
            UriHostNameType.IPv4 => CheckIPv4(uri),
            _ => CheckName(uri),
        };
    }

    /// <summary>
    /// The address an IPv6 literal host as <see cref="Uri.IdnHost"/> gives it ("fe80::1%25eth0") connects
    /// to: the zone written as RFC 6874 wants ("%25" then the zone) or bare ("%eth0"), as curl takes both.
    /// </summary>
    public static bool TryParseLiteral(string host, out IPAddress address)
    {
        string text = host.Trim('[', ']');
        int percent = text.IndexOf('%', StringComparison.Ordinal);
        if (percent >= 0 && ZoneOf(text[(percent + 1)..]) is { } zone)
            text = $"{text[..percent]}%{zone}";
        return IPAddress.TryParse(text, out address!);
    }

    private static string? CheckName(Uri uri)
    {
        string host = uri.Host;
        string ascii;
        try
        {
            ascii = uri.IdnHost;
            if (!IsAscii(host)) Idna.GetAscii(host.TrimEnd('.'));
        }
        catch (ArgumentException e)
        {
            return IdnaReason(host, e);
        }
        catch (UriFormatException e)
        {
            return IdnaReason(host, e);
        }

        // Uri converts only hosts it takes for DNS names: one with a '_' or another character DNS names
        // do not hold stays as written, and a request cannot carry a non-ASCII Host header.
        if (!IsAscii(ascii))
            return $"the host '{Shorten(host)}' has no ASCII form to send: it mixes non-ASCII characters with characters a DNS name cannot hold (such as '_')";
        string name = ascii.TrimEnd('.');
        if (name.Length > 253) return $"the host name is {name.Length} characters long; DNS allows at most 253";
        foreach (string label in name.Split('.'))
        {
            if (label.Length > 63)
                return $"the host label '{Shorten(label)}' is {label.Length} characters long; DNS allows at most 63";
        }
        return null;
    }

    private static string? CheckIPv4(Uri uri)
    {
        // Linux refuses a connect to anything in 0.0.0.0/8 but 0.0.0.0 itself ("Invalid argument"): a bare
        // number such as http://8/ lands here, as Uri reads it as the address 0.0.0.8.
        if (IPAddress.TryParse(uri.IdnHost, out var address) && address.GetAddressBytes() is [0, _, _, _] bytes && (bytes[1] | bytes[2] | bytes[3]) != 0)
            return $"{address} is in 0.0.0.0/8, which cannot be connected to (a bare number is read as an IPv4 address)";
        return null;
    }

    private static string? CheckIPv6(Uri uri)
    {
        string literal = uri.IdnHost;
        int percent = literal.IndexOf('%', StringComparison.Ordinal);
        if (percent >= 0)
        {
            string? zone = ZoneOf(literal[(percent + 1)..]);
            if (zone is null || !InterfaceZones.Value.Contains(zone))
                return $"the IPv6 zone '{literal[(percent + 1)..]}' names no network interface of this machine (write it as %25 and the interface, e.g. [fe80::1%25eth0])";
            return null;
        }
        if (IPAddress.TryParse(literal, out var address) && address.IsIPv6LinkLocal)
            return $"the link-local address {address} needs a zone to say which interface it is on, e.g. [{address}%25eth0]";
        return null;
    }

    /// <summary>The zone after the '%': "25eth0" is RFC 6874's escaped form of "eth0"; null when nothing is left.</summary>
    private static string? ZoneOf(string text)
    {
        string zone = text.StartsWith("25", StringComparison.Ordinal) && text.Length > 2 ? text[2..] : text;
        zone = Uri.UnescapeDataString(zone);
        return zone.Length == 0 ? null : zone;
    }

    /// <summary>The interface names and indexes of this machine: what a zone may name.</summary>
    private static HashSet<string> ReadInterfaceZones()
    {
        var zones = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                zones.Add(nic.Name);
                if (nic.Supports(NetworkInterfaceComponent.IPv6) && nic.GetIPProperties().GetIPv6Properties() is { } v6)
                    zones.Add(v6.Index.ToString(CultureInfo.InvariantCulture));
            }
        }
        catch (NetworkInformationException)
        {
            // No interface list: no zone can be checked, so none is accepted.
        }
        return zones;
    }

    /// <summary>Names the label IDNA rejects and the code points in it (they are often invisible), with the runtime's reason.</summary>
    private static string IdnaReason(string host, Exception e)
    {
        string reason = e is ArgumentException { ParamName: { } parameter }
            ? e.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal)
            : e.Message;
        string culprit = host;
        foreach (string label in host.Split('.'))
        {
            if (label.Length == 0 || IsAscii(label)) continue;
            try
            {
                Idna.GetAscii(label);
            }
            catch (ArgumentException)
            {
                culprit = label;
                break;
            }
        }
        var codePoints = culprit.EnumerateRunes().Where(r => r.Value > 0x7F).Take(8).Select(r => $"U+{r.Value:X4}");
        return $"the host is not a valid internationalized domain name (IDNA): '{Shorten(culprit)}' ({string.Join(' ', codePoints)}): {reason.TrimEnd('.')}";
    }

    private static bool IsAscii(string text) => System.Text.Ascii.IsValid(text);

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
