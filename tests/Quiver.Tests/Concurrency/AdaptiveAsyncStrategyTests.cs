using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Quiver.Concurrency;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Strategies;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Concurrency;

/// <summary>The async strategy under <c>--concurrency auto</c> against real Kestrel servers on loopback.</summary>
public sealed class AdaptiveAsyncStrategyTests
{
    private static async IAsyncEnumerable<UrlRequest> Urls(Uri server, int count)
    {
        for (int i = 1; i <= count; i++)
        {
            string url = new Uri(server, $"/page/{i}").AbsoluteUri;
            yield return UrlRequest.FromLine(i, url);
        }
        await Task.CompletedTask;
    }

    [Fact]
    public async Task It_never_has_more_in_flight_than_max_concurrency()
    {
        int inFlight = 0, most = 0;
        await using var server = await KestrelHost.StartAsync(app => app.Run(async context =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            await Task.Delay(5);
            Interlocked.Decrement(ref inFlight);
            await context.Response.WriteAsync("ok");
        }));
        var options = new StrategyOptions { Adaptive = new AdaptiveConcurrencyOptions { MaxWidth = 24 } };
        using var strategy = FetchStrategies.Create(options, new FetchOptions());

        int results = 0;
        await foreach (var result in strategy.RunAsync(Urls(server.Address, 600)))
        {
            Assert.Null(result.Error);
            results++;
        }

        Assert.Equal(600, results);
        Assert.InRange(most, 1, 24);
        Assert.InRange(((IReportsWidth)strategy).Width!.Peak, 16, 24);
    }

    [Fact]
    public async Task It_shrinks_when_the_server_starts_refusing()
    {
        int inFlight = 0;
        await using var server = await KestrelHost.StartAsync(app => app.Run(async context =>
        {
            try
            {
                // Beyond 6 at once, the server refuses at once, as a rate-limited site does.
                if (Interlocked.Increment(ref inFlight) > 6)
                {
                    context.Response.StatusCode = 429;
                    return;
                }
                await Task.Delay(10);
                await context.Response.WriteAsync("ok");
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }));
        var options = new StrategyOptions { Adaptive = new AdaptiveConcurrencyOptions { InitialWidth = 32, MaxWidth = 64 } };
        using var strategy = FetchStrategies.Create(options, new FetchOptions());

        await foreach (var _ in strategy.RunAsync(Urls(server.Address, 3000)))
        {
        }

        var controller = ((AsyncStrategy)strategy).Controller!;
        Assert.True(controller.Width < 32, string.Join("\n", controller.History));
        Assert.Contains(controller.History, change => change.Contains("429/503", StringComparison.Ordinal));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
