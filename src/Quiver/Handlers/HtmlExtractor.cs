using AngleSharp.Html.Parser;

namespace Quiver.Handlers;

/// <summary>Built-in handler behind <c>--extract title,links</c>: parses HTML with AngleSharp's HTML5 parser.</summary>
public sealed class HtmlExtractor : IResponseHandler
{
    private readonly bool _title;
    private readonly bool _links;

    public HtmlExtractor(bool title, bool links)
    {
        _title = title;
        _links = links;
    }

    public async ValueTask HandleAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.IsHtml || context.Body.Length == 0) return;

        var parser = new HtmlParser();
        using var document = await parser.ParseDocumentAsync(context.Body, cancellationToken).ConfigureAwait(false);

        if (_title)
        {
            string title = document.Title ?? "";
            context.Result.Title = string.Join(' ', title.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        }

        if (_links)
        {
            // A <base href> changes what relative links mean; AngleSharp's BaseUrl does not know the
            // response URL, so resolve against it ourselves.
            var baseUri = context.Url;
            if (document.QuerySelector("base[href]")?.GetAttribute("href") is { } baseHref
                && Uri.TryCreate(context.Url, baseHref, out var declaredBase))
            {
                baseUri = declaredBase;
            }

            var links = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var anchor in document.QuerySelectorAll("a[href]"))
            {
                string? href = anchor.GetAttribute("href");
                if (string.IsNullOrWhiteSpace(href)) continue;
                if (!Uri.TryCreate(baseUri, href.Trim(), out var target)) continue;
                if (target.Scheme is not ("http" or "https")) continue;
                string absolute = new UriBuilder(target) { Fragment = "" }.Uri.AbsoluteUri;
                if (seen.Add(absolute)) links.Add(absolute);
            }
            context.Result.Links = links;
        }
    }
}
