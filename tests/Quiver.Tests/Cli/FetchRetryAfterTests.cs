using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Cli;

/// <summary>
/// <c>quiver fetch --attempts</c> against a server that always asks for two minutes' rest: the wait is
/// capped by <c>--max-retry-after</c> (as in <c>crawl</c>), and a retried record's total spans every try.
/// </summary>
public sealed class FetchRetryAfterTests : IAsyncLifetime, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("quiver-retry-after-").FullName;
    private readonly ConcurrentQueue<long> _arrivals = new(); // xunit makes an instance (and a server) per test: every arrival is this test's
    private KestrelHost _server = null!;

    public async Task InitializeAsync() =>
        _server = await KestrelHost.StartAsync(app => app.Run(context =>
        {
            _arrivals.Enqueue(Stopwatch.GetTimestamp());
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "120";
            return Task.CompletedTask;
        }));

    [Theory]
    [InlineData("async")]
    [InlineData("processes")]
    public async Task Retry_After_is_cut_to_max_retry_after_and_total_ms_spans_every_try(string strategy)
    {
        string list = Path.Combine(_directory, $"{strategy}.txt");
        File.WriteAllLines(list, [new Uri(_server.Address, "/busy").AbsoluteUri]);

        // Uncapped, the two waits would take four minutes: far past this timeout.
        var outcome = await CliRunner.RunAsync(
            ["fetch", list, "--strategy", strategy, "--attempts", "3", "--retry-delay", "0", "--max-retry-after", "0.3", "--quiet"],
            timeout: TimeSpan.FromSeconds(60));

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        var record = JsonDocument.Parse(Assert.Single(outcome.OutputLines)).RootElement;
        Assert.Equal((503, 3), (record.GetProperty("status").GetInt32(), record.GetProperty("attempts").GetInt32()));

        var arrivals = _arrivals.ToList();
        Assert.Equal(3, arrivals.Count);
        for (int i = 1; i < arrivals.Count; i++)
        {
            double gapMs = Stopwatch.GetElapsedTime(arrivals[i - 1], arrivals[i]).TotalMilliseconds;
            Assert.InRange(gapMs, 290, 20_000);
        }
        // Both capped waits lie between the first try's start and the last try's end.
        double totalMs = record.GetProperty("timings").GetProperty("totalMs").GetDouble();
        Assert.True(totalMs >= Stopwatch.GetElapsedTime(arrivals[0], arrivals[^1]).TotalMilliseconds, $"totalMs {totalMs} is shorter than the tries it spans");
    }

    [Theory]
    [InlineData("fetch")]
    [InlineData("crawl")]
    public async Task A_negative_max_retry_after_is_a_usage_error(string command)
    {
        var outcome = await CliRunner.RunAsync([command, new Uri(_server.Address, "/x").AbsoluteUri, "--max-retry-after", "-1"]);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("quiver: --max-retry-after must be between 0 and 3600 seconds", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public async Task Fetch_and_crawl_offer_the_same_max_retry_after_with_the_same_default()
    {
        var fetch = await CliRunner.RunAsync(["fetch", "--help"]);
        var crawl = await CliRunner.RunAsync(["crawl", "--help"]);

        string fetchLine = MaxRetryAfterLine(fetch);
        Assert.Contains("[default: 120]", fetchLine, StringComparison.Ordinal);
        Assert.Equal(fetchLine, MaxRetryAfterLine(crawl));
    }

    /// <summary>The help line of the flag, with the padding (which depends on the command's other flags) collapsed.</summary>
    private static string MaxRetryAfterLine(CliRunner.Outcome help) =>
        string.Join(' ', Assert.Single(help.OutputLines, l => l.Contains("--max-retry-after", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
