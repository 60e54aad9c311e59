using Quiver.Fetching;
using Quiver.Strategies;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Faults;

/// <summary>
/// Every misbehaviour of <see cref="FaultServer"/>, fetched as one list by each of the five strategies,
/// ends as its precise kind, within the timeout, and none as <c>other</c>.
/// </summary>
public sealed class FaultScenarioTests(FaultRun run) : IClassFixture<FaultRun>
{
    [Fact]
    public void Every_fault_in_every_strategy_ends_as_its_kind()
    {
        var wrong = new List<string>();
        foreach (var (kind, outcomes) in run.Results)
        {
            string strategy = StrategyOptions.NameOf(kind);
            Assert.Equal(run.Scenarios.Count, outcomes.Count);
            foreach (var (expected, result) in outcomes)
            {
                bool statusAsExpected = expected.Status == result.Status || (expected.StatusMayBeLost && result.Status is null);
                if (expected.Kind != result.Error || !statusAsExpected || expected.Redirects != (result.Redirects?.Count ?? 0))
                {
                    wrong.Add($"{strategy} {expected.Name}: expected {expected.Kind?.ToWireName() ?? "success"} status {expected.Status} after {expected.Redirects} redirects, "
                        + $"got {result.Error?.ToWireName() ?? "success"} status {result.Status} after {result.Redirects?.Count ?? 0}: {result.ErrorMessage}");
                }
            }
        }
        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    [Fact]
    public void No_fault_in_any_strategy_ends_as_other()
    {
        var other = run.Results.SelectMany(p => p.Value.Where(o => o.Result.Error == FetchErrorKind.Other)
            .Select(o => $"{StrategyOptions.NameOf(p.Key)} {o.Scenario.Name}: {o.Result.ErrorMessage}")).ToList();
        Assert.True(other.Count == 0, string.Join('\n', other));
    }

    [Fact]
    public void Every_fault_ends_by_the_timeout()
    {
        // Drips and one-byte-a-second headers must be cut at the deadline, not when the server stops.
        var late = run.Results.SelectMany(p => p.Value.Where(o => o.Result.Timings.TotalMs > (FaultRun.OptionsFor(o.Scenario).Timeout + FaultRun.Margin).TotalMilliseconds)
            .Select(o => $"{StrategyOptions.NameOf(p.Key)} {o.Scenario.Name}: {o.Result.Timings.TotalMs:0} ms")).ToList();
        Assert.True(late.Count == 0, string.Join('\n', late));
        foreach (var (scenario, result) in run.Results.Values.SelectMany(o => o).Where(o => o.Result.Error == FetchErrorKind.Timeout))
            Assert.True(result.Timings.TotalMs >= FaultRun.OptionsFor(scenario).Timeout.TotalMilliseconds * 0.95, $"{scenario.Name} timed out early: {result.Timings.TotalMs} ms");
    }

    [Fact]
    public void Requests_lost_on_connections_the_server_closed_were_sent_again()
    {
        // The server closed connections with the client's next request unread in them (so the fault
        // happened), yet every hop of every chain was answered, each exactly once.
        Assert.True(run.Server.StaleClosedOnUnread > 0, "the stale-connection scenario never met a closed connection");
        int hopsPerStrategy = run.Scenarios.Sum(s => s.StaleHops);
        Assert.Equal(hopsPerStrategy * run.Results.Count, run.Server.StaleAnswered);
    }

    [Fact]
    public void The_list_holds_every_misbehaviour_the_server_has()
    {
        var covered = run.Scenarios.Select(s => s.Path).ToHashSet();
        Assert.All(FaultServer.Paths.Where(p => p != "/ok"), path => Assert.Contains(path, covered));
        Assert.True(run.Scenarios.Count >= 25);
    }
}

/// <summary>
/// One line of the fault list and what every strategy must report for it: the kind (null: success),
/// the status, the redirects followed, the server path it covers, and the requests to <c>/stale/…</c>
/// it makes (the server counts those it answers). <c>StatusMayBeLost</c>: a reset may discard a head the
/// client had not read yet, so its status may be absent.
/// </summary>
public sealed record FaultScenario(string Name, string Url, FetchErrorKind? Kind, int? Status, int Redirects = 0, string? Path = null, int StaleHops = 0, bool StatusMayBeLost = false);

/// <summary>Starts the fault server and runs the fault list through all five strategies once, for the tests to read.</summary>
public sealed class FaultRun : IAsyncLifetime
{
    /// <summary>
    /// For the faults that only a deadline ends (a hang, a drip): short, so that they cost little. The
    /// others end by themselves, and get a timeout long enough that a cold worker process's first TLS
    /// handshake on a loaded 2-core machine never reaches it.
    /// </summary>
    public static readonly FetchOptions TimedOptions = new()
    {
        Timeout = TimeSpan.FromSeconds(3),
        MaxRedirects = 10,
        MaxBodyBytes = 256 * 1024,
        CaCertificateFile = TestCertificates.AuthorityFile,
        Http2 = true,
    };

    public static readonly FetchOptions UntimedOptions = TimedOptions with { Timeout = TimeSpan.FromSeconds(20) };

    public static FetchOptions OptionsFor(FaultScenario scenario) => scenario.Kind == FetchErrorKind.Timeout ? TimedOptions : UntimedOptions;

    /// <summary>Beyond the timeout, what a loaded 2-core machine may add to a fetch's end (a cold worker process, a busy thread pool).</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    public FaultServer Server { get; private set; } = null!;
    public IReadOnlyList<FaultScenario> Scenarios { get; private set; } = [];

    /// <summary>Each strategy's outcome of every scenario.</summary>
    public IReadOnlyDictionary<StrategyKind, List<(FaultScenario Scenario, FetchResult Result)>> Results { get; private set; } =
        new Dictionary<StrategyKind, List<(FaultScenario, FetchResult)>>();

    public async Task InitializeAsync()
    {
        Server = FaultServer.Start();
        Scenarios = ScenariosFor(Server);
        // Two lists per strategy, one per timeout, and one strategy after another: run at once, five
        // strategies (and their worker processes) on two shared cores starve each other.
        var results = new Dictionary<StrategyKind, List<(FaultScenario, FetchResult)>>();
        foreach (var kind in Enum.GetValues<StrategyKind>())
        {
            var outcomes = new List<(FaultScenario, FetchResult)>();
            foreach (var batch in Scenarios.GroupBy(OptionsFor))
            {
                var list = batch.ToList();
                var fetched = await Infrastructure.StrategyRunner.RunAsync(kind, batch.Key, list.Select(s => s.Url), concurrency: ConcurrencyOf(kind));
                Assert.Equal(Enumerable.Range(1, list.Count).Select(i => (long)i), fetched.Select(r => r.Line).Order());
                outcomes.AddRange(fetched.Select(r => (list[(int)r.Line - 1], r)));
            }
            results[kind] = outcomes;
        }
        Results = results;
    }

    /// <summary>Enough at once that the waits overlap; two worker processes for the process strategies (one per core).</summary>
    private static int? ConcurrencyOf(StrategyKind kind) => kind switch
    {
        StrategyKind.Sequential => null,
        StrategyKind.Processes or StrategyKind.AsyncProcesses => 2,
        _ => 8,
    };

    private static List<FaultScenario> ScenariosFor(FaultServer server)
    {
        FaultScenario Http(string name, string path, FetchErrorKind? kind, int? status, int redirects = 0, int staleHops = 0) =>
            new(name, server.HttpUrl(path), kind, status, redirects, path.StartsWith("/stale/", StringComparison.Ordinal) ? "/stale/N" : path, staleHops);
        return
        [
            new("refused", $"http://127.0.0.1:{server.RefusedPort}/", FetchErrorKind.ConnectionRefused, null),
            Http("reset mid-headers", "/reset-headers", FetchErrorKind.ConnectionReset, null),
            Http("reset mid-body", "/reset-body", FetchErrorKind.ConnectionReset, 200) with { StatusMayBeLost = true },
            Http("close without a byte", "/close-silent", FetchErrorKind.ConnectionReset, null),
            Http("10 redirects across a server that closes after each response", "/stale/10", null, 200, redirects: 10, staleHops: 11),
            Http("past --max-redirects across that server", "/stale/11", FetchErrorKind.TooManyRedirects, 302, redirects: 10, staleHops: 11),
            Http("kept-alive reuse of that server, 1", "/stale/0", null, 200, staleHops: 1),
            Http("kept-alive reuse of that server, 2", "/stale/0", null, 200, staleHops: 1),
            Http("kept-alive reuse of that server, 3", "/stale/0", null, 200, staleHops: 1),
            Http("hang before headers", "/hang", FetchErrorKind.Timeout, null),
            Http("headers one byte a second", "/slow-headers", FetchErrorKind.Timeout, null),
            Http("body drip", "/drip", FetchErrorKind.Timeout, 200),
            Http("10 GB Content-Length", "/huge-length", FetchErrorKind.BodyTooLarge, 200),
            Http("endless chunked body", "/endless-chunked", FetchErrorKind.BodyTooLarge, 200),
            Http("bad chunk size", "/bad-chunk", FetchErrorKind.Protocol, 200),
            Http("short body", "/short-body", FetchErrorKind.ConnectionReset, 200),
            Http("header flood past the header limit", "/header-flood", FetchErrorKind.Protocol, null),
            Http("malformed status line", "/bad-status", FetchErrorKind.Protocol, null),
            Http("header line without a colon", "/no-colon", FetchErrorKind.Protocol, null),
            Http("conflicting Content-Lengths", "/two-lengths", FetchErrorKind.Protocol, null),
            // SocketsHttpHandler replaces the NUL with a space, as RFC 9110 allows: the response is usable.
            Http("NUL in a header", "/nul-header", null, 200),
            Http("gzip bomb", "/gzip-bomb", FetchErrorKind.BodyTooLarge, 200),
            Http("brotli bomb", "/brotli-bomb", FetchErrorKind.BodyTooLarge, 200),
            Http("says gzip, is not", "/bad-gzip", FetchErrorKind.Decoding, 200),
            Http("bad brotli", "/bad-brotli", FetchErrorKind.Decoding, 200),
            Http("redirect loop", "/loop", FetchErrorKind.TooManyRedirects, 302, redirects: 10),
            Http("redirect to an unparsable URL", "/to-unparsable", FetchErrorKind.InvalidRedirect, 302),
            Http("redirect to ftp:", "/to-ftp", FetchErrorKind.InvalidRedirect, 301),
            Http("unparsable redirect after a good one", "/redirect-then-unparsable", FetchErrorKind.InvalidRedirect, 302, redirects: 1),
            Http("1xx flood", "/1xx-flood", FetchErrorKind.Protocol, null),
            Http("not HTTP at all", "/garbage", FetchErrorKind.Protocol, null),
            new("TLS: expired certificate", new Uri(server.ExpiredTls, "/ok").AbsoluteUri, FetchErrorKind.Tls, null),
            new("TLS: self-signed certificate", new Uri(server.SelfSignedTls, "/ok").AbsoluteUri, FetchErrorKind.Tls, null),
            new("TLS: wrong-name certificate", new Uri(server.WrongNameTls, "/ok").AbsoluteUri, FetchErrorKind.Tls, null),
            new("TLS 1.0 only", new Uri(server.Tls10Only, "/ok").AbsoluteUri, FetchErrorKind.Tls, null),
            new("HTTP/2 GOAWAY mid-stream", new Uri(server.Http2GoAway, "/goaway").AbsoluteUri, FetchErrorKind.ConnectionReset, 200),
            new("HTTP/2 stream reset", new Uri(server.Http2StreamReset, "/stream-reset").AbsoluteUri, FetchErrorKind.ConnectionReset, 200),
        ];
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
