using Quiver.Fetching;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Fetching;

/// <summary>
/// The guard in a list fetch, in every strategy (worker processes get the deny set with the options):
/// the denied target is a canary on 127.0.0.9, so nothing can leave loopback even were the guard broken.
/// </summary>
public sealed class AddressGuardFetchTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    [Theory]
    [MemberData(nameof(Infrastructure.StrategyRunner.All), MemberType = typeof(Infrastructure.StrategyRunner))]
    public async Task A_denied_address_and_a_redirect_to_it_are_blocked_in_every_strategy_and_the_target_sees_no_connection(string strategy)
    {
        await using var canary = new CanaryServer();
        string direct = canary.Url("/direct");
        string redirect = fixture.Server.HttpUrl($"/to?url={Uri.EscapeDataString(canary.Url("/redirected"))}");
        var options = new FetchOptions { DenyAddresses = [$"{canary.Address}"], Timeout = TimeSpan.FromSeconds(10) };

        var results = await Infrastructure.StrategyRunner.RunAsync(Infrastructure.StrategyRunner.Parse(strategy), options, [direct, redirect, fixture.Server.HttpUrl("/fast")]);

        Assert.Equal(0, canary.Accepted);
        var blocked = results.Single(r => r.Line == 1);
        Assert.Equal(FetchErrorKind.BlockedAddress, blocked.Error);
        Assert.Equal($"refused to connect to 127.0.0.9:{canary.Port}: 127.0.0.9 is in the denied range 127.0.0.9/32 (--allow-address punches a hole)", blocked.ErrorMessage);
        var redirected = results.Single(r => r.Line == 2);
        Assert.Equal(FetchErrorKind.BlockedAddress, redirected.Error);
        Assert.Equal([canary.Url("/redirected")], redirected.Redirects!);
        Assert.Null(redirected.Status);
        // The guard refuses what it is told to, and nothing else: 127.0.0.1 is loopback too.
        Assert.Equal(200, results.Single(r => r.Line == 3).Status);
    }

    [Fact]
    public async Task An_allowed_address_inside_a_denied_range_is_connected_to()
    {
        await using var canary = new CanaryServer();
        using var fetcher = new Fetcher(new FetchOptions { DenyPrivate = true, DenyAddresses = ["127.0.0.0/8"], AllowAddresses = ["127.0.0.9/32"] });

        var allowed = await fetcher.FetchAsync(Quiver.Input.UrlRequest.FromLine(1, canary.Url("/")));
        var denied = await fetcher.FetchAsync(Quiver.Input.UrlRequest.FromLine(2, fixture.Server.HttpUrl("/fast")));

        Assert.Equal(200, allowed.Status);
        Assert.Equal(1, canary.Accepted);
        Assert.Equal(FetchErrorKind.BlockedAddress, denied.Error);
    }
}
