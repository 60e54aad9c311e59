using Quiver.Fetching;
using Quiver.Input;
using Quiver.Resilience;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Strategies;

/// <summary><c>fetch --attempts</c>: retries happen inside every strategy's own model, worker processes included.</summary>
public sealed class RetryTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    private LoopbackServer Server => fixture.Server;

    private static FetchOptions WithRetries(TimeSpan firstDelay) => new()
    {
        Timeout = TimeSpan.FromSeconds(5),
        Retry = new RetryOptions { MaxAttempts = 3, BaseDelay = firstDelay, MaxDelay = firstDelay },
    };

    [Theory]
    [MemberData(nameof(Infrastructure.StrategyRunner.All), MemberType = typeof(Infrastructure.StrategyRunner))]
    public async Task EveryStrategy_RetriesTransientFailures_AndOnlyThose(string strategy)
    {
        // Names unique to this run: the server counts requests per name.
        string run = $"{strategy}-{Guid.NewGuid():N}";
        string recovers = Server.HttpUrl($"/flaky/{run}-a/2");
        string staysDown = Server.HttpUrl($"/flaky/{run}-b/10");
        string notFound = Server.HttpUrl("/status/404");
        string refused = $"http://127.0.0.1:{Server.RefusedPort}/";

        var results = await Infrastructure.StrategyRunner.RunAsync(Infrastructure.StrategyRunner.Parse(strategy), WithRetries(TimeSpan.FromMilliseconds(5)),
            [recovers, staysDown, notFound, refused]);

        var byUrl = results.ToDictionary(r => r.Url);
        Assert.Equal((200, 3), (byUrl[recovers].Status, byUrl[recovers].Attempts));
        Assert.Equal((503, 3), (byUrl[staysDown].Status, byUrl[staysDown].Attempts));
        Assert.Equal((404, 1), (byUrl[notFound].Status, byUrl[notFound].Attempts));
        Assert.Equal((FetchErrorKind.ConnectionRefused, 3), (byUrl[refused].Error, byUrl[refused].Attempts));
        Assert.Equal(3, Server.Requests.Count(r => r.PathAndQuery == $"/flaky/{run}-a/2"));
        Assert.Equal(3, Server.Requests.Count(r => r.PathAndQuery == $"/flaky/{run}-b/10"));
    }

    [Fact]
    public async Task A_stop_during_a_retry_backoff_is_a_cancelled_record_not_an_exception()
    {
        using var fetcher = new Fetcher(WithRetries(TimeSpan.FromMinutes(10)));
        string path = $"/flaky/stop-{Guid.NewGuid():N}/10";
        using var stop = new CancellationTokenSource();

        var pending = fetcher.FetchAsync(UrlRequest.FromLine(1, Server.HttpUrl(path)), stop.Token).AsTask();
        // The first attempt has reached the server (and got its 503): the fetch now waits out its backoff.
        await Server.WaitForRequestAsync(r => r.PathAndQuery == path, TimeSpan.FromSeconds(10));
        stop.Cancel();
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(FetchErrorKind.Cancelled, result.Error);
        Assert.Single(Server.Requests, r => r.PathAndQuery == path);
    }
}
