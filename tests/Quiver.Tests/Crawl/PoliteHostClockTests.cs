using Microsoft.Extensions.Time.Testing;
using Quiver.Crawl;
using Quiver.Fetching;

namespace Quiver.Tests.Crawl;

/// <summary>
/// A host's gate decides by its clock alone: with a fake clock each delay is checked to the tick,
/// without sleeping (the end-to-end timings against a server stay in <see cref="PolitenessTests"/>).
/// </summary>
public sealed class PoliteHostClockTests
{
    private static readonly Uri Origin = new("http://site.test/");

    private static PoliteHost Host(FakeTimeProvider time, PolitenessOptions? options = null) =>
        new("site.test", Origin, options ?? new PolitenessOptions { PerHostDelay = TimeSpan.FromSeconds(2), PerHostConcurrency = 1 }, time);

    [Fact]
    public async Task The_next_turn_starts_no_sooner_than_the_delay_after_the_previous_request_ended()
    {
        var time = new FakeTimeProvider();
        var host = Host(time);
        (await host.WaitTurnAsync(CancellationToken.None)).Dispose();

        var next = host.WaitTurnAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromTicks(1));
        (await next.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public async Task Retry_after_pushes_the_host_out_capped_and_a_longer_crawl_delay_replaces_the_delay()
    {
        var time = new FakeTimeProvider();
        var host = Host(time, new PolitenessOptions { PerHostDelay = TimeSpan.Zero, PerHostConcurrency = 1, MaxCrawlDelay = TimeSpan.FromSeconds(5) });
        host.ApplyCrawlDelay(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(5), host.Delay);
        host.ApplyCrawlDelay(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(5), host.Delay);

        var turn = await host.WaitTurnAsync(CancellationToken.None);
        host.Observe(new FetchResult { Status = 429, RetryAfter = TimeSpan.FromHours(1) }, maxRetryAfter: TimeSpan.FromSeconds(60));
        turn.Dispose();
        var next = host.WaitTurnAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        (await next.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public async Task Throttling_without_retry_after_doubles_the_backoff_until_a_response_resets_it()
    {
        var time = new FakeTimeProvider();
        var options = new PolitenessOptions { PerHostDelay = TimeSpan.Zero, PerHostConcurrency = 1, ThrottleBackoff = TimeSpan.FromSeconds(1) };
        var host = Host(time, options);
        foreach (int seconds in new[] { 1, 2, 4 })
        {
            var turn = await host.WaitTurnAsync(CancellationToken.None);
            host.Observe(new FetchResult { Status = 503 }, maxRetryAfter: TimeSpan.FromMinutes(1));
            turn.Dispose();
            var next = host.WaitTurnAsync(CancellationToken.None).AsTask();
            time.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromTicks(1));
            Assert.False(next.IsCompleted, $"backoff shorter than {seconds} s");
            time.Advance(TimeSpan.FromTicks(1));
            (await next.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        }
    }

    [Fact]
    public void The_failure_that_spends_the_error_budget_names_the_count_and_the_last_failure()
    {
        var host = Host(new FakeTimeProvider(), new PolitenessOptions { HostErrorBudget = 2 });
        host.CountFailure("timeout: slow");
        Assert.Null(host.SkipReason);
        host.CountFailure("reset: gone");
        host.CountFailure("later");
        Assert.Equal("host skipped: 2 URLs failed after retries (last: reset: gone)", host.SkipReason);
    }

    [Fact]
    public void A_worker_that_found_nothing_retires_only_when_no_work_arrived_since_its_lease()
    {
        var host = Host(new FakeTimeProvider());
        Assert.True(host.TryAddWorker(stopping: false));
        long before = host.Wakes;
        Assert.False(host.TryAddWorker(stopping: false));
        Assert.False(host.TryRetireWorker(before, stopping: false));
        Assert.True(host.TryRetireWorker(host.Wakes, stopping: false));
        Assert.True(host.TryAddWorker(stopping: false));
    }
}
