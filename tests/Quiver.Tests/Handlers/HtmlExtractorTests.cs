using System.Net;
using System.Text;
using Quiver.Fetching;
using Quiver.Handlers;

namespace Quiver.Tests.Handlers;

public sealed class HtmlExtractorTests
{
    private static async Task<FetchResult> ExtractAsync(string html, string url = "http://site.test/dir/page", string contentType = "text/html")
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(html, Encoding.UTF8, contentType) };
        var result = new FetchResult();
        var context = new ResponseContext(new Uri(url), response, new MemoryStream(Encoding.UTF8.GetBytes(html)), result);
        await new HtmlExtractor(title: true, links: true).HandleAsync(context, CancellationToken.None);
        return result;
    }

    [Fact]
    public async Task Title_IsTrimmedAndWhitespaceCollapsed()
    {
        var result = await ExtractAsync("<html><head><title>\n  Hello \t  <b>world</b>\n</title></head></html>");
        Assert.Equal("Hello <b>world</b>", result.Title);
    }

    [Fact]
    public async Task Links_AreAbsoluteDedupedAndHttpOnly()
    {
        var result = await ExtractAsync("""
            <a href="a">a</a><a href="/b#frag">b</a><a href="/b">b again</a>
            <a href="https://other.test/x">x</a><a href="mailto:x@y">m</a><a href="javascript:void(0)">j</a><a>no href</a>
            """);
        Assert.Equal(["http://site.test/dir/a", "http://site.test/b", "https://other.test/x"], result.Links);
    }

    [Fact]
    public async Task BaseHref_ChangesWhatRelativeLinksMean()
    {
        var result = await ExtractAsync("<head><base href=\"http://cdn.test/root/\"></head><a href=\"x\">x</a>");
        Assert.Equal(["http://cdn.test/root/x"], result.Links);
    }

    [Fact]
    public async Task BaseHref_WithSurroundingWhitespace_StillApplies()
    {
        var result = await ExtractAsync("<head><base href=\"\n  http://cdn.test/root/ \t\"></head><a href=\"x\">x</a>");
        Assert.Equal(["http://cdn.test/root/x"], result.Links);
    }

    [Fact]
    public async Task LinksWithCredentials_AreLeftOut_AsTheCrawlerLeavesThem()
    {
        var result = await ExtractAsync("<a href=\"http://user:secret@site.test/a\">a</a><a href=\"//user@site.test/b\">b</a><a href=\"/c\">c</a>");
        Assert.Equal(["http://site.test/c"], result.Links);
    }

    [Fact]
    public async Task NonHtmlBody_IsNotParsed()
    {
        var result = await ExtractAsync("<title>not html</title>", contentType: "application/json");
        Assert.Null(result.Title);
        Assert.Null(result.Links);
    }
}
