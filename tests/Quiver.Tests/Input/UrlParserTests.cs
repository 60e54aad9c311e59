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

    [Theory]
    [InlineData("http://a.test:0/", "port 0 cannot be connected to")]
    [InlineData("http://a.test:65536/", "port 65536 is out of range (1 to 65535)")]
    [InlineData("http://a.test:99999999999999999999/", "is out of range (1 to 65535)")]
    [InlineData("a.test:70000/x", "port 70000 is out of range")]
    [InlineData("http://a.test:8o/", "the port '8o' is not a number")]
    [InlineData("http://[::1/", "has no closing ']'")]
    [InlineData("http://[fe80::1]/", "link-local address fe80::1 needs a zone")]
    [InlineData("http://[fe80::1%25nosuchnic9]/", "the IPv6 zone '25nosuchnic9' names no network interface")]
    [InlineData("http://8/", "0.0.0.8 is in 0.0.0.0/8")]
    [InlineData("http://\u771E._rqdu7gj/", "has no ASCII form to send")]
    public void Urls_that_Uri_accepts_or_rejects_vaguely_get_a_precise_reason(string line, string reason)
    {
        var request = UrlRequest.FromLine(5, line);

        Assert.Null(request.Uri);
        Assert.Contains(reason, request.InvalidReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_label_or_name_longer_than_DNS_allows_is_invalid()
    {
        string label = new('a', 64);
        string name = string.Join('.', Enumerable.Repeat(new string('b', 60), 5));

        Assert.Contains("DNS allows at most 63", UrlRequest.FromLine(1, $"http://{label}.test/").InvalidReason, StringComparison.Ordinal);
        Assert.Contains("DNS allows at most 253", UrlRequest.FromLine(1, $"http://{name}/").InvalidReason, StringComparison.Ordinal);
        Assert.Null(UrlRequest.FromLine(1, $"http://{new string('a', 63)}.test/").InvalidReason);
    }

    [Fact]
    public void A_host_the_runtime_refuses_under_IDNA_is_invalid_at_its_line_naming_the_label_and_its_code_points()
    {
        // A left-to-right letter then a right-to-left one (Ottoman Siyaq) in one label: the runtime's IDNA
        // rules for bidirectional text refuse it, and sending it failed with "invalid Unicode character by IDN standards".
        var request = UrlRequest.FromLine(42, "http://R\U0001ED0F.com/");

        Assert.Null(request.Uri);
        Assert.Equal(42, request.Line);
        Assert.StartsWith("the host is not a valid internationalized domain name (IDNA): 'r\U0001ED0F' (U+1ED0F): ", request.InvalidReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://a_b.example/", "a_b.example")]
    [InlineData("http://[fe80::1%25lo]:8080/", "fe80::1%25lo")]
    [InlineData("http://[fe80::1%251]/", "fe80::1%251")]
    [InlineData("http://0.0.0.0:81/", "0.0.0.0")]
    [InlineData("http://xn--bcher-kva.example/", "xn--bcher-kva.example")]
    public void Hosts_that_can_be_sent_stay_valid(string line, string idnHost)
    {
        var request = UrlRequest.FromLine(1, line);

        Assert.Null(request.InvalidReason);
        Assert.Equal(idnHost, request.Uri!.IdnHost);
    }

    [Theory]
    [InlineData("fe80::1%25lo", 1)]
    [InlineData("[fe80::1%lo]", 1)]
    [InlineData("fe80::1%251", 1)]
    [InlineData("::1", 0)]
    public void An_IPv6_literal_keeps_its_zone_written_either_way(string host, long scope)
    {
        Assert.True(HostRules.TryParseLiteral(host, out var address));
        Assert.Equal(scope, address.ScopeId);
    }
}
