using Quiver.Crawl;

namespace Quiver.Tests.Crawl;

public sealed class UrlNormalizerTests
{
    [Theory]
    [InlineData("HTTP://Example.COM:80/a/./b/../c#frag", "http://example.com/a/c")]
    [InlineData("https://example.com:443", "https://example.com/")]
    [InlineData("http://example.com:8080/%7euser/%41%2f", "http://example.com:8080/~user/A%2F")]
    [InlineData("http://example.com/a?q=1#x", "http://example.com/a?q=1")]
    public void Equivalent_urls_share_one_form(string input, string expected) =>
        Assert.Equal(expected, UrlNormalizer.Normalize(input)?.AbsoluteUri);

    [Theory]
    [InlineData("mailto:someone@example.com")]
    [InlineData("javascript:void(0)")]
    [InlineData("ftp://example.com/file")]
    [InlineData("http://user:secret@example.com/")]
    [InlineData("")]
    public void Non_http_urls_and_credentials_are_not_crawled(string input) => Assert.Null(UrlNormalizer.Normalize(input));

    [Fact]
    public void Relative_links_resolve_against_the_page()
    {
        var page = new Uri("http://example.com/dir/page.html");
        Assert.Equal("http://example.com/dir/other", UrlNormalizer.Normalize("other#top", page)?.AbsoluteUri);
        Assert.Equal("http://example.com/up", UrlNormalizer.Normalize("../up", page)?.AbsoluteUri);
        Assert.Equal("https://cdn.example.com/x", UrlNormalizer.Normalize("https://CDN.example.com/x", page)?.AbsoluteUri);
    }

    [Theory]
    [InlineData("  \t other \n", "http://example.com/dir/other")]
    [InlineData("sp\nli\tt", "http://example.com/dir/split")]
    [InlineData("\\\\cdn.example.com\\x", "http://cdn.example.com/x")]
    [InlineData("", "http://example.com/dir/page.html")]
    [InlineData("#top", "http://example.com/dir/page.html")]
    public void Links_are_read_as_a_browser_reads_them(string href, string expected) =>
        Assert.Equal(expected, UrlNormalizer.Normalize(href, new Uri("http://example.com/dir/page.html"))?.AbsoluteUri);

    [Theory]
    [InlineData("//user:secret@example.com/")]
    [InlineData("//user@example.com/")]
    [InlineData("mailto:someone@example.com")]
    [InlineData("data:text/html,hi")]
    public void Relative_links_to_credentials_or_other_schemes_are_not_crawled(string href) =>
        Assert.Null(UrlNormalizer.Normalize(href, new Uri("http://example.com/dir/page.html")));
}
