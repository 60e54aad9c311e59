using AngleSharp.Dom;

namespace Quiver.Crawl;

/// <summary>
/// Puts a URL into the one form the frontier dedupes on: http(s) only, scheme and host lower case,
/// default port dropped, dot segments resolved, empty path made "/", fragment removed, and
/// percent-escapes of unreserved characters decoded (RFC 3986 §6.2.2).
/// </summary>
/// <remarks>
/// Text is parsed, and resolved against a base, by AngleSharp's implementation of the WHATWG URL
/// standard, so a link means here what it means in a browser (surrounding whitespace and control
/// characters stripped, tabs and newlines inside removed, backslashes read as slashes, hosts in
/// punycode), which <see cref="Uri"/> alone does not do. <see cref="Uri"/> then does the case, port
/// and dot-segment work; what it leaves (fragments and escaped unreserved characters such as
/// <c>%7E</c>) is done here, in a few lines no library offers.
/// </remarks>
public static class UrlNormalizer
{
    /// <summary>The normal form of <paramref name="text"/> resolved against <paramref name="baseUri"/>, or null when it is not an http(s) URL.</summary>
    public static Uri? Normalize(string text, Uri? baseUri = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Resolve(text, baseUri is null ? null : new Url(baseUri.AbsoluteUri));
    }

    /// <summary>
    /// The one resolution routine for links (<see cref="Handlers.HtmlLinks"/>) and seeds: the normal
    /// form of <paramref name="text"/> resolved against <paramref name="baseUrl"/> (parsed once per
    /// page by the caller), or null when it is not an http(s) URL or carries credentials.
    /// </summary>
    internal static Uri? Resolve(string text, Url? baseUrl)
    {
        var url = baseUrl is null ? new Url(text) : new Url(baseUrl, text);
        if (url.IsInvalid || url.IsRelative) return null;
        return Uri.TryCreate(url.Href, UriKind.Absolute, out var uri) ? Normalize(uri) : null;
    }

    /// <summary>The normal form of an absolute URL, or null when it is not http(s) or carries credentials.</summary>
    public static Uri? Normalize(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0) return null;
        if (!string.IsNullOrEmpty(uri.UserInfo)) return null;
        string pathAndQuery = DecodeUnreserved(uri.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped));
        string authority = uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped).ToLowerInvariant();
        return Uri.TryCreate(authority + pathAndQuery, UriKind.Absolute, out var normal) ? normal : null;
    }

    /// <summary>The host a URL counts against for politeness: host name and port, e.g. "example.com" or "example.com:8080".</summary>
    public static string HostKey(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}";
    }

    /// <summary>%41 → A, %7e → ~; every other escape kept with upper-case hex.</summary>
    private static string DecodeUnreserved(string text)
    {
        if (!text.Contains('%', StringComparison.Ordinal)) return text;
        var builder = new System.Text.StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                char decoded = (char)Convert.ToInt32(text.Substring(i + 1, 2), 16);
                if (char.IsAsciiLetterOrDigit(decoded) || decoded is '-' or '.' or '_' or '~')
                    builder.Append(decoded);
                else
                    builder.Append('%').Append(char.ToUpperInvariant(text[i + 1])).Append(char.ToUpperInvariant(text[i + 2]));
                i += 2;
            }
            else
            {
                builder.Append(text[i]);
            }
        }
        return builder.ToString();
    }
}
