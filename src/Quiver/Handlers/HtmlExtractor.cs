using AngleSharp.Html.Parser;

namespace Quiver.Handlers;

/// <summary>
/// Built-in handler behind <c>--extract title,links</c>: parses HTML with AngleSharp's HTML5 parser.
/// Links are read by <see cref="HtmlLinks"/>, exactly as the crawler reads them.
/// </summary>
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
            context.Result.Links = [.. HtmlLinks.Read(document, context.Url).Select(link => link.AbsoluteUri)];
    }
}
