using System.Net;
using System.Net.Sockets;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Fetching;

/// <summary>Outcomes of a single fetch that the shared strategy scenario does not cover.</summary>
public sealed class FetcherTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    private LoopbackServer Server => fixture.Server;

    private static async Task<FetchResult> FetchAsync(FetchOptions options, string url)
    {
        using var fetcher = new Fetcher(options);
        return await fetcher.FetchAsync(UrlRequest.FromLine(1, url));
    }

    [Fact]
    public async Task ListenerThatNeverAccepts_IsAConnectTimeout()
    {
        // A full accept queue makes the kernel drop further SYNs, so the connect never completes.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var fillers = new List<Socket>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                try { filler.Connect(IPAddress.Loopback, port); } catch (SocketException) { }
                fillers.Add(filler);
            }
            var result = await FetchAsync(new FetchOptions { ConnectTimeout = TimeSpan.FromMilliseconds(500), Timeout = TimeSpan.FromSeconds(20) }, $"http://127.0.0.1:{port}/");
            Assert.Equal(FetchErrorKind.ConnectTimeout, result.Error);
            Assert.Contains("timed out", result.ErrorMessage, StringComparison.Ordinal);
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task ServerSpeakingSomethingElse_IsAProtocolError()
    {
        var result = await FetchAsync(new FetchOptions(), Server.Garbage.AbsoluteUri);
        Assert.Equal(FetchErrorKind.Protocol, result.Error);
    }

    [Fact]
    public async Task Http2Option_NegotiatesHttp2OverTls()
    {
        var options = new FetchOptions { Http2 = true, CaCertificateFile = TestCertificates.AuthorityFile };
        Assert.Equal("2", (await FetchAsync(options, Server.HttpsUrl("/fast"))).HttpVersion);
        Assert.Equal("1.1", (await FetchAsync(options with { Http2 = false }, Server.HttpsUrl("/fast"))).HttpVersion);
    }

    [Fact]
    public void Http2Option_BlockingFetch_FallsBackToHttp11()
    {
        using var fetcher = new Fetcher(new FetchOptions { Http2 = true, CaCertificateFile = TestCertificates.AuthorityFile });
        var result = fetcher.Fetch(UrlRequest.FromLine(1, Server.HttpsUrl("/fast")));
        Assert.True(result.Error is null, result.ErrorMessage);
        Assert.Equal(200, result.Status);
        Assert.Equal("1.1", result.HttpVersion);
    }

    [Fact]
    public async Task UntrustedCertificate_IsTlsErrorUnlessTheCaIsGivenOrInsecure()
    {
        string url = Server.HttpsUrl("/fast");
        Assert.Equal(FetchErrorKind.Tls, (await FetchAsync(new FetchOptions(), url)).Error);
        Assert.Equal(200, (await FetchAsync(new FetchOptions { CaCertificateFile = TestCertificates.AuthorityFile }, url)).Status);
        Assert.Equal(200, (await FetchAsync(new FetchOptions { Insecure = true }, url)).Status);
    }

    [Fact]
    public async Task UserAgentAndHeaders_AreSent()
    {
        var options = new FetchOptions { UserAgent = "QuiverTest/1.0", Headers = [new("X-Probe", "yes")] };
        string path = $"/echo/ua-{Guid.NewGuid():N}";
        await FetchAsync(options, Server.HttpUrl(path));
        var seen = await Server.WaitForRequestAsync(r => r.PathAndQuery == path, TimeSpan.FromSeconds(5));
        Assert.Equal("QuiverTest/1.0", seen.UserAgent);
    }

    [Fact]
    public async Task ResolveOverride_SendsTheNameToThePinnedAddress()
    {
        var options = new FetchOptions { Resolve = [new ResolveEntry("pinned.test", Server.Http.Port, "127.0.0.1")] };
        var result = await FetchAsync(options, $"http://pinned.test:{Server.Http.Port}/fast");
        Assert.Equal(200, result.Status);
        Assert.Null(result.Timings.DnsMs);
    }

    [Fact]
    public async Task SmallLimit_IsBodyTooLargeWithoutBytes()
    {
        var result = await FetchAsync(new FetchOptions { MaxBodyBytes = 100 }, Server.HttpUrl("/fast"));
        Assert.Equal(FetchErrorKind.BodyTooLarge, result.Error);
        Assert.Null(result.Bytes);
        Assert.Equal(200, result.Status);
    }

    // Why a fetch stopped is read from the tokens, never from what the interrupted call threw.

    [Fact]
    public async Task A_response_past_the_deadline_is_a_timeout_naming_it()
    {
        var result = await FetchAsync(new FetchOptions { Timeout = TimeSpan.FromMilliseconds(300) }, Server.HttpUrl("/hang"));

        Assert.Equal(FetchErrorKind.Timeout, result.Error);
        Assert.Equal("no complete response within 0.3s", result.ErrorMessage);
    }

    [Fact]
    public async Task A_run_stopped_mid_fetch_is_cancelled_not_a_timeout()
    {
        string path = $"/hang?stopped={Guid.NewGuid():N}";
        using var stop = new CancellationTokenSource();
        using var fetcher = new Fetcher(new FetchOptions { Timeout = TimeSpan.FromSeconds(30) });
        var fetching = fetcher.FetchAsync(UrlRequest.FromLine(1, Server.HttpUrl(path)), stop.Token).AsTask();
        await Server.WaitForRequestAsync(r => r.PathAndQuery == path, TimeSpan.FromSeconds(10));
        await stop.CancelAsync();

        var result = await fetching;
        Assert.Equal(FetchErrorKind.Cancelled, result.Error);
        Assert.Equal("the run was cancelled", result.ErrorMessage);
        Assert.Equal(1, result.Attempts);
    }

    [Theory]
    [InlineData("example.com:443:10.0.0.1", "example.com", 443, "10.0.0.1")]
    [InlineData("Example.COM:8443:[::1]", "example.com", 8443, "::1")]
    public void ResolveEntry_ParsesCurlForm(string text, string host, int port, string address) =>
        Assert.Equal(new ResolveEntry(host, port, address), ResolveEntry.Parse(text));

    [Theory]
    [InlineData("example.com")]
    [InlineData("example.com:notaport:127.0.0.1")]
    [InlineData("example.com:80:not-an-ip")]
    public void ResolveEntry_RejectsMalformedEntries(string text) =>
        Assert.Throws<FormatException>(() => ResolveEntry.Parse(text));

    // A record's status is the final response's: a redirect hop's status does not outlive the hop.

    [Fact]
    public async Task A_failure_after_a_redirect_has_no_status()
    {
        string refused = $"http://127.0.0.1:{Server.RefusedPort}/gone";
        var result = await FetchAsync(new FetchOptions(), Server.HttpUrl("/to?url=" + Uri.EscapeDataString(refused)));

        Assert.Equal(FetchErrorKind.ConnectionRefused, result.Error);
        Assert.Null(result.Status);
        Assert.Null(result.HttpVersion);
        Assert.Equal([refused], result.Redirects!);
    }

    [Fact]
    public async Task A_tls_failure_after_a_redirect_has_no_status()
    {
        var result = await FetchAsync(new FetchOptions(), Server.HttpUrl("/to?url=" + Uri.EscapeDataString(new Uri(Server.HttpsWrongName, "/fast").AbsoluteUri)));

        Assert.Equal(FetchErrorKind.Tls, result.Error);
        Assert.Null(result.Status);
    }

    [Fact]
    public async Task Too_many_redirects_keeps_the_last_redirect_status()
    {
        var result = await FetchAsync(new FetchOptions { MaxRedirects = 2 }, Server.HttpUrl("/loop"));

        Assert.Equal(FetchErrorKind.TooManyRedirects, result.Error);
        Assert.Equal(302, result.Status);
    }
}
