using Quiver.Input;

namespace Quiver.Tests.Input;

public sealed class UrlParserTests
{
    [Theory]
    [InlineData("example.com", "https://example.com/")]
    [InlineData("example.com/path?q=1", "https://example.com/path?q=1")]
    [InlineData("localhost:8080/x", "https://localhost:8080/x")]
    [InlineData("  http://Example.COM/A  ", "http://example.com/A")]
    [InlineData("HTTPS://example.com", "https://example.com/")]
    [InlineData("http://127.0.0.1:81/", "http://127.0.0.1:81/")]
    [InlineData("http://[::1]:8080/", "http://[::1]:8080/")]
    public void FetchableLines_BecomeAbsoluteUrls(string line, string expected)
    {
        var request = UrlRequest.FromLine(7, line);
        Assert.Null(request.InvalidReason);
        Assert.Equal(expected, request.Uri!.AbsoluteUri);
        Assert.Equal(7, request.Line);
    }

    [Theory]
    [InlineData("ftp://example.com/file", "unsupported scheme 'ftp:'")]
    [InlineData("file:///etc/passwd", "unsupported scheme 'file:'")]
    [InlineData("javascript:alert(1)", "unsupported scheme 'javascript:'")]
    [InlineData("mailto:someone@example.com", "unsupported scheme 'mailto:'")]
    [InlineData("http://exa mple.com/", "spaces")]
    [InlineData("http://", "not a valid URL")]
    [InlineData("http://user:secret@example.com/", "credentials")]
    [InlineData("http://a.test/\u0000x", "control characters")]
    [InlineData("http://b\uFFFD\uFFFDcher.test/", "not valid UTF-8")]
    public void UnfetchableLines_AreInvalidWithAReason(string line, string reason)
    {
        var request = UrlRequest.FromLine(3, line);
        Assert.Null(request.Uri);
        Assert.Contains(reason, request.InvalidReason, StringComparison.Ordinal);
    }

    [Fact]
    public void InternationalisedDomain_IsFetchedByItsPunycodeName()
    {
        var request = UrlRequest.FromLine(1, "bücher.example/straße");
        Assert.NotNull(request.Uri);
        Assert.Equal("xn--bcher-kva.example", request.Uri.IdnHost);
        Assert.Equal("https", request.Uri.Scheme);
    }
}
