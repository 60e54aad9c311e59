using AngleSharp.Dom;
using Quiver.Crawl;

namespace Quiver.Handlers;

/// <summary>
/// What the links of an HTML page mean, read the same way for <c>fetch --extract links</c> and for
/// the crawler: every <c>a[href]</c> and <c>area[href]</c>, resolved against the document's base URL
/// and put in <see cref="UrlNormalizer"/>'s normal form; links that are not http(s) or that carry
/// credentials are left out, and each link is listed once, in document order.
/// </summary>
internal static class HtmlLinks
{
    /// <summary>The links of <paramref name="document"/>, fetched from <paramref name="responseUrl"/>; <paramref name="include"/> may leave elements out (e.g. rel=nofollow).</summary>
    public static List<Uri> Read(IDocument document, Uri responseUrl, Func<IElement, bool>? include = null)
    {
        var baseUrl = BaseUrl(document, responseUrl);
        var links = new List<Uri>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in document.QuerySelectorAll("a[href], area[href]"))
        {
            if (include is not null && !include(element)) continue;
            if (UrlNormalizer.Resolve(element.GetAttribute("href")!, baseUrl) is { } link && seen.Add(link.AbsoluteUri))
                links.Add(link);
        }
        return links;
    }

    /// <summary>
    /// The document base URL (HTML §2.4.1): the href of the first <c>&lt;base href&gt;</c>, resolved
    /// against the response URL, or the response URL when there is none or it does not parse.
    /// AngleSharp's own <c>BaseUrl</c> cannot be used: a parsed document does not know the URL it came from.
    /// </summary>
    private static Url BaseUrl(IDocument document, Uri responseUrl)
    {
        var response = new Url(responseUrl.AbsoluteUri);
        if (document.QuerySelector("base[href]")?.GetAttribute("href") is not { } href) return response;
        var declared = new Url(response, href);
        return declared.IsInvalid || declared.IsRelative ? response : declared;
    }
}
