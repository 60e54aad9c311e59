using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using BenchmarkDotNet.Attributes;
using Quiver.Crawl;
using Quiver.Handlers;

namespace Quiver.Benchmarks;

/// <summary>
/// What reading a page's links costs the crawler and <c>--extract links</c>: parsing the HTML, then
/// resolving every link. Resolution goes through AngleSharp's WHATWG URL parser and then
/// <see cref="Uri"/> (so a link means what it means in a browser); <c>Resolve_link_with_Uri_only</c>
/// is the cheaper <see cref="Uri"/>-only resolution it replaced, for the price of that choice.
/// </summary>
[MemoryDiagnoser]
public class LinkExtractionBenchmarks
{
    private const int LinksPerPage = 150;
    private static readonly Uri PageUrl = new("https://www.example.test/news/today/index.html");
    private readonly HtmlParser _parser = new();
    private string _html = "";
    private IDocument _document = null!;
    private string[] _hrefs = [];
    private Url _baseUrl = null!;

    [GlobalSetup]
    public void Setup()
    {
        // A page shaped like a news front page: ~40 KB, links of every common form.
        var hrefs = new List<string>();
        for (int i = 0; i < LinksPerPage; i++)
        {
            hrefs.Add((i % 6) switch
            {
                0 => $"/section/{i}/story-{i * 7}.html",
                1 => $"story-{i}.html?ref=front&amp;pos={i}",
                2 => $"https://cdn{i % 3}.example.test/assets/{i}.html#top",
                3 => $"../archive/{2020 + i % 5}/{i}/",
                4 => $"//static.example.test/a%7Eb/{i}",
                _ => $"https://www.example.test/tag/t{i}",
            });
        }
        var html = new StringBuilder("<!doctype html><html><head><title>Front page</title><meta charset=utf-8></head><body>");
        foreach (var href in hrefs)
            html.Append("<div class=\"card\"><h2><a href=\"").Append(href).Append("\">A headline that runs on a little</a></h2>")
                .Append("<p>Some teaser text for the story, long enough to look like a summary of it, and then some more words.</p></div>\n");
        html.Append("</body></html>");
        _html = html.ToString();
        _document = _parser.ParseDocument(_html);
        _hrefs = [.. _document.QuerySelectorAll("a[href]").Select(a => a.GetAttribute("href")!)];
        _baseUrl = new Url(PageUrl.AbsoluteUri);
    }

    [GlobalCleanup]
    public void Cleanup() => _document.Dispose();

    [Benchmark]
    public int Parse_page()
    {
        using var document = _parser.ParseDocument(_html);
        return document.All.Length;
    }

    [Benchmark]
    public int Read_links_of_parsed_page() => HtmlLinks.Read(_document, PageUrl).Count;

    [Benchmark(OperationsPerInvoke = LinksPerPage)]
    public int Resolve_link()
    {
        int resolved = 0;
        foreach (var href in _hrefs)
            if (UrlNormalizer.Resolve(href, _baseUrl) is not null) resolved++;
        return resolved;
    }

    [Benchmark(OperationsPerInvoke = LinksPerPage)]
    public int Resolve_link_with_Uri_only()
    {
        int resolved = 0;
        foreach (var href in _hrefs)
            if (Uri.TryCreate(PageUrl, href, out var uri) && UrlNormalizer.Normalize(uri) is not null) resolved++;
        return resolved;
    }
}
