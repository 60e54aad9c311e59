using Quiver.Fetching;
using Quiver.Strategies;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Strategies;

/// <summary>
/// The shared scenario: one mixed list (fast, slow, redirect chains, 4xx/5xx, a refused port, a
/// wrong-name certificate, a reset mid-body, a hang past the timeout, too many redirects, a body
/// over the limit, invalid lines) fetched by every strategy against a real loopback server.
/// </summary>
public sealed class StrategyScenarioTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    private LoopbackServer Server => fixture.Server;

    private FetchOptions Options => new()
    {
        // Generous: worker processes start cold (JIT, TLS) on a loaded 2-core machine; only /hang may time out.
        Timeout = TimeSpan.FromSeconds(5),
        MaxRedirects = 5,
        MaxBodyBytes = 256 * 1024,
        CaCertificateFile = TestCertificates.AuthorityFile,
    };

    /// <summary>Each line of the list with what every strategy must report for it.</summary>
    private IReadOnlyList<(string Line, int? Status, FetchErrorKind? Error, int Redirects)> Scenario =>
    [
        (Server.HttpUrl("/fast"), 200, null, 0),
        (Server.HttpUrl("/slow?ms=300"), 200, null, 0),
        (Server.HttpUrl("/redirect/3"), 200, null, 3),
        (Server.HttpsUrl("/fast"), 200, null, 0),
        (Server.HttpsUrl("/redirect/2"), 200, null, 2),
        (Server.HttpUrl("/status/404"), 404, null, 0),
        (Server.HttpUrl("/status/500"), 500, null, 0),
        (Server.HttpUrl("/status/503"), 503, null, 0),
        ($"http://127.0.0.1:{Server.RefusedPort}/", null, FetchErrorKind.ConnectionRefused, 0),
        (new Uri(Server.HttpsWrongName, "/fast").AbsoluteUri, null, FetchErrorKind.Tls, 0),
        (Server.Truncating.AbsoluteUri, 200, FetchErrorKind.ConnectionReset, 0),
        (Server.HttpUrl("/hang"), null, FetchErrorKind.Timeout, 0),
        (Server.HttpUrl("/loop"), 302, FetchErrorKind.TooManyRedirects, 5),
        (Server.HttpUrl("/bytes/1000000"), 200, FetchErrorKind.BodyTooLarge, 0),
        ("http://no-such-host.invalid/", null, FetchErrorKind.Dns, 0),
        ("ftp://example.com/file", null, FetchErrorKind.InvalidUrl, 0),
        ("http://exa mple.com/", null, FetchErrorKind.InvalidUrl, 0),
        ("javascript:alert(1)", null, FetchErrorKind.InvalidUrl, 0),
    ];

    /// <summary>
    /// Runs all five at once (the hang costs the whole timeout, so once rather than five times) and
    /// checks each against the expected outcomes and against each other.
    /// </summary>
    [Fact]
    public async Task AllFiveStrategies_OnTheMixedList_ReturnTheExpectedAndSameOutcomes()
    {
        var scenario = Scenario;
        var kinds = Enum.GetValues<StrategyKind>();
        var fixedRuns = kinds.Select(kind => Infrastructure.StrategyRunner.RunAsync(kind, Options, scenario.Select(s => s.Line), concurrency: 4));
        // async under --concurrency auto: the width moves while the run goes, the outcomes must not.
        var autoRun = RunAutoAsync(scenario.Select(s => s.Line));
        var runs = await Task.WhenAll(fixedRuns.Append(autoRun));
        var names = kinds.Select(StrategyOptions.NameOf).Append("async auto");

        var outcomes = new Dictionary<string, string[]>();
        foreach (var (strategy, results) in names.Zip(runs))
        {
            Assert.Equal(Enumerable.Range(1, scenario.Count).Select(i => (long)i), results.Select(r => r.Line).Order());
            foreach (var result in results)
            {
                var expected = scenario[(int)result.Line - 1];
                Assert.True(expected.Error == result.Error, $"{strategy} line {result.Line} ({expected.Line}): expected {expected.Error?.ToWireName() ?? "success"}, got {result.Error?.ToWireName() ?? "success"}: {result.ErrorMessage}");
                Assert.True(expected.Status == result.Status, $"{strategy} line {result.Line}: status {result.Status}, expected {expected.Status}");
                Assert.Equal(expected.Redirects, result.Redirects?.Count ?? 0);
                if (result.Error is not FetchErrorKind.InvalidUrl) Assert.Equal(1, result.Attempts);
                if (result.Error is null) Assert.NotNull(result.Bytes);
            }
            outcomes[strategy] = [.. results
                .OrderBy(r => r.Line)
                .Select(r => $"{r.Line} {r.Url} -> {r.FinalUrl} {r.Status} {r.Error?.ToWireName()} {string.Join('>', r.Redirects ?? [])} {r.Bytes} {r.HttpVersion}")];
        }

        var reference = outcomes["sequential"];
        foreach (var (strategy, outcome) in outcomes)
            Assert.True(reference.SequenceEqual(outcome), $"{strategy} differs from sequential:\n{string.Join('\n', outcome.Except(reference))}");
    }

    private async Task<List<FetchResult>> RunAutoAsync(IEnumerable<string> lines)
    {
        var options = new StrategyOptions { Kind = StrategyKind.Async, Adaptive = new Quiver.Concurrency.AdaptiveConcurrencyOptions() };
        using var strategy = FetchStrategies.Create(options, Options);
        return await Infrastructure.StrategyRunner.CollectAsync(strategy, lines);
    }

    [Fact]
    public async Task NewHttpsConnection_RecordsConnectAndTlsTimings()
    {
        var results = await Infrastructure.StrategyRunner.RunAsync(StrategyKind.Sequential, Options, [Server.HttpsUrl("/fast")]);
        var timings = Assert.Single(results).Timings;
        Assert.True(timings.ConnectMs > 0, "connect time measured");
        Assert.True(timings.TlsMs > 0, "TLS handshake time measured");
        Assert.True(timings.TtfbMs > 0);
        Assert.True(timings.TotalMs >= timings.TtfbMs);
    }
}
