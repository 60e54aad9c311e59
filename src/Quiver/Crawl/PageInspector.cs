using System.Runtime.CompilerServices;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Quiver.Fetching;
using Quiver.Handlers;

namespace Quiver.Crawl;

/// <summary>What the crawler learned from one response beyond its result record.</summary>
internal sealed class PageFacts
{
    /// <summary>Normalised links the page allows following (rel=nofollow links left out).</summary>
    public List<Uri> Links { get; } = [];

    /// <summary>The page asked not to follow any of its links (robots meta tag or X-Robots-Tag).</summary>
    public bool NoFollow { get; set; }

    /// <summary>The body of a /robots.txt response.</summary>
    public string? RobotsText { get; set; }
}

/// <summary>
/// The crawler's response handler: reads links out of HTML with AngleSharp, honouring
/// <c>rel=nofollow</c>, <c>&lt;base href&gt;</c> and robots meta tags, and keeps robots.txt bodies.
/// Facts are attached to the result object rather than written into it, so the output records
/// stay lean.
/// </summary>
internal sealed class PageInspector(string productToken) : IResponseHandler
{
    private readonly ConditionalWeakTable<FetchResult, PageFacts> _facts = [];

    /// <summary>The product token robots meta tags and robots.txt groups are matched against.</summary>
    public string ProductToken => productToken;

    /// <summary>The facts gathered for <paramref name="result"/>, if its response was inspected.</summary>
    public PageFacts? FactsFor(FetchResult result) => _facts.TryGetValue(result, out var facts) ? facts : null;

    public async ValueTask HandleAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var facts = new PageFacts();
        _facts.AddOrUpdate(context.Result, facts);

        if (context.Url.AbsolutePath == "/robots.txt")
        {
            using var reader = new StreamReader(context.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
            // UTF-8 never decodes to more chars than bytes: size the buffer by the body, not by the cap.
            char[] buffer = new char[context.Body.CanSeek ? (int)Math.Min(RobotsRules.MaxBytes, context.Body.Length) : RobotsRules.MaxBytes];
            int read = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            facts.RobotsText = new string(buffer, 0, read);
            return;
        }

        if (context.Response.Headers.TryGetValues("X-Robots-Tag", out var tags) && tags.Any(SaysNoFollow))
            facts.NoFollow = true;
        if (!context.IsHtml || context.Body.Length == 0) return;

        var parser = new HtmlParser();
        using var document = await parser.ParseDocumentAsync(context.Body, cancellationToken).ConfigureAwait(false);
        foreach (var meta in document.QuerySelectorAll("meta[name][content]"))
        {
            string name = meta.GetAttribute("name")!.Trim();
            if ((name.Equals("robots", StringComparison.OrdinalIgnoreCase) || name.Equals(productToken, StringComparison.OrdinalIgnoreCase))
                && SaysNoFollow(meta.GetAttribute("content")))
            {
                facts.NoFollow = true;
            }
        }
        if (facts.NoFollow) return;

        facts.Links.AddRange(HtmlLinks.Read(document, context.Url, element => !IsNoFollow(element)));
    }

    private static bool IsNoFollow(IElement link) =>
        link.GetAttribute("rel") is { } rel
        && rel.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Any(r => r.Equals("nofollow", StringComparison.OrdinalIgnoreCase));

    /// <summary>"nofollow" or "none" among a robots directive list such as "noindex, nofollow".</summary>
    private static bool SaysNoFollow(string? directives) =>
        directives is not null && directives.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(d => d.Equals("nofollow", StringComparison.OrdinalIgnoreCase) || d.Equals("none", StringComparison.OrdinalIgnoreCase));
}
