using Quiver.Fetching;
using Quiver.Input;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Fetching;

/// <summary>A record's status is the final response's: a redirect hop's status does not outlive the hop.</summary>
public sealed class RedirectFailureTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    private LoopbackServer Server => fixture.Server;

    private static async Task<FetchResult> FetchAsync(FetchOptions options, string url)
    {
        using var fetcher = new Fetcher(options);
        return await fetcher.FetchAsync(UrlRequest.FromLine(1, url));
    }

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
