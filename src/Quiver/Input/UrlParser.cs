using System.Globalization;

namespace Quiver.Input;

/// <summary>
/// Turns one input line into a URL the way users write lists: full http(s) URLs, or a bare domain
/// (with optional port and path) meaning <c>https://DOMAIN/</c>. Other schemes are reported, not guessed at.
/// </summary>
internal static class UrlParser
{
    /// <summary>Longer lines are not URLs anyone can fetch; reject them before asking <see cref="Uri"/>.</summary>
    public const int MaxUrlLength = 32 * 1024;

    public static UrlRequest Parse(long line, string text)
    {
        string trimmed = TrimLine(text);
        if (trimmed.Length > MaxUrlLength)
            return Invalid(line, trimmed[..64] + "…", $"line is {trimmed.Length:N0} characters; a URL may have at most {MaxUrlLength:N0}");
        if (trimmed.Length == 0)
            return Invalid(line, trimmed, "empty line");
        foreach (char c in trimmed)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
                return Invalid(line, trimmed, "a URL cannot contain spaces or control characters");
            // The reader decodes lists as UTF-8 and puts U+FFFD where bytes are not UTF-8: without this
            // check such a host would be punycoded and looked up, and fail as a misleading DNS error.
            if (c == '\uFFFD')
                return Invalid(line, trimmed, "the line is not valid UTF-8 (lists are read as UTF-8)");
        }

        string candidate = trimmed;
        int colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && LooksLikeScheme(trimmed.AsSpan(0, colon)) && !IsPortAfter(trimmed, colon))
        {
            string scheme = trimmed[..colon].ToLowerInvariant();
            if (scheme is not ("http" or "https"))
                return Invalid(line, trimmed, $"unsupported scheme '{scheme}:' (only http and https are fetched)");
        }
        else
        {
            candidate = "https://" + trimmed;
        }

        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri))
            return Invalid(line, trimmed, WhyUnparsable(candidate));
        if (uri.Scheme is not ("http" or "https"))
            return Invalid(line, trimmed, $"unsupported scheme '{uri.Scheme}:'");
        if (string.IsNullOrEmpty(uri.Host))
            return Invalid(line, trimmed, "the URL has no host");
        if (!string.IsNullOrEmpty(uri.UserInfo))
            return Invalid(line, trimmed, "credentials in URLs are not sent; use a header instead");
        if (HostRules.Check(uri) is { } reason)
            return Invalid(line, trimmed, reason);
        return new UrlRequest(line, trimmed, uri, null);
    }

    /// <summary>"not a valid URL", made precise where the authority shows why: a port out of range, an unclosed IPv6 bracket.</summary>
    private static string WhyUnparsable(string candidate)
    {
        int start = candidate.IndexOf("://", StringComparison.Ordinal);
        if (start < 0) return "not a valid URL";
        start += 3;
        int end = candidate.IndexOfAny(['/', '?', '#'], start);
        string authority = candidate[start..(end < 0 ? candidate.Length : end)];
        authority = authority[(authority.LastIndexOf('@') + 1)..];
        if (authority.StartsWith('[') && !authority.Contains(']', StringComparison.Ordinal))
            return "not a valid URL: the IPv6 address has no closing ']'";
        int colon = authority.LastIndexOf(':');
        if (colon >= 0 && colon > authority.LastIndexOf(']'))
        {
            string port = authority[(colon + 1)..];
            if (port.Length > 0 && port.All(char.IsAsciiDigit) && port.TrimStart('0').Length is var digits && (digits > 5 || int.Parse(port, CultureInfo.InvariantCulture) > 65535))
                return $"not a valid URL: port {Shorten(port)} is out of range (1 to 65535)";
            if (port.Length > 0 && !port.All(char.IsAsciiDigit) && authority.IndexOf(':') == colon)
                return $"not a valid URL: the port '{Shorten(port)}' is not a number";
        }
        return "not a valid URL";
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";

    /// <summary>Whitespace and a stray byte order mark (from a reader that kept it) are not part of the URL.</summary>
    public static string TrimLine(string text) => text.Trim().Trim('\uFEFF').Trim();

    private static UrlRequest Invalid(long line, string text, string reason) => new(line, text, null, reason);

    private static bool LooksLikeScheme(ReadOnlySpan<char> span)
    {
        if (!char.IsAsciiLetter(span[0])) return false;
        foreach (char c in span)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')) return false;
        }
        return true;
    }

    /// <summary>"example.com:8080/path" is a bare host with a port, not a scheme named example.com.</summary>
    private static bool IsPortAfter(string text, int colon)
    {
        int i = colon + 1;
        int digits = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; digits++; }
        return digits > 0 && (i == text.Length || text[i] is '/' or '?' or '#');
    }
}
