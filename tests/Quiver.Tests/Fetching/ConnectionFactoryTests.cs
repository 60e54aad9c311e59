using Quiver.Fetching;
using Quiver.Input;

namespace Quiver.Tests.Fetching;

public sealed class ConnectionFactoryTests
{
    [Fact]
    public async Task A_host_that_does_not_resolve_is_a_dns_result_not_an_exception()
    {
        using var fetcher = new Fetcher(new FetchOptions { Timeout = TimeSpan.FromSeconds(10) });

        var result = await fetcher.FetchAsync(UrlRequest.FromLine(1, "http://no-such-host.quiver.invalid/"));

        Assert.Equal(FetchErrorKind.Dns, result.Error);
        Assert.Contains("no-such-host.quiver.invalid", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Null(result.Status);
    }
}
