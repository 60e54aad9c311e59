using Quiver.Fetching;
using Quiver.SimWeb;
using Quiver.Strategies;
using static Quiver.Tests.SimWeb.SimWebTestServer;

namespace Quiver.Tests.SimWeb;

/// <summary>Every way a sim site fails reaches every strategy as the matching result: an error kind, or a status with no error.</summary>
public sealed class FailureKindTests
{
    private static readonly (SiteFailure Failure, int? Status, FetchErrorKind? Error)[] Expected =
    [
        (SiteFailure.None, 200, null),
        (SiteFailure.ConnectionRefused, null, FetchErrorKind.ConnectionRefused),
        (SiteFailure.ResetMidBody, null, FetchErrorKind.ConnectionReset),
        (SiteFailure.WrongCertificateName, null, FetchErrorKind.Tls),
        (SiteFailure.Forbidden, 403, null),
        (SiteFailure.NotFound, 404, null),
        (SiteFailure.TooManyRequests, 429, null),
        (SiteFailure.InternalServerError, 500, null),
        (SiteFailure.ServiceUnavailable, 503, null),
        (SiteFailure.Hang, null, FetchErrorKind.Timeout),
    ];

    public static TheoryData<string, bool> Cases
    {
        get
        {
            var cases = new TheoryData<string, bool>();
            foreach (var kind in Enum.GetValues<StrategyKind>()) cases.Add(StrategyOptions.NameOf(kind), false);
            // HTTP/2 multiplexes streams: a reset must still be a broken connection, not a refused stream.
            // (Only async: the threads model blocks, and SocketsHttpHandler has no synchronous HTTP/2.)
            cases.Add("async", true);
            return cases;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EachFailureKind_MapsToTheMatchingResult(string strategy, bool http2)
    {
        var sites = Expected.Select((e, i) => Site(i + 1, $"{e.Failure.ToWireName()}.test", rttMs: 2, thinkMs: 2, bodyBytes: 60_000, bandwidth: 20_000_000, toHttps: true, failure: e.Failure));
        await using var sim = await StartAsync(sites, timeScale: 1);
        var options = new FetchOptions
        {
            // Long enough for a cold worker process's first TLS handshake; the hang outlasts it by minutes.
            Timeout = TimeSpan.FromSeconds(3),
            Resolve = [.. sim.World.ResolveLines().Select(ResolveEntry.Parse)],
            CaCertificateFile = sim.Files.CaCertificate,
            Http2 = http2,
        };

        var results = await Infrastructure.StrategyRunner.RunAsync(
            Infrastructure.StrategyRunner.Parse(strategy), options, sim.World.Sites.Select(s => sim.World.ListUrl(s).AbsoluteUri), concurrency: 4);

        Assert.Equal(Expected.Length, results.Count);
        foreach (var result in results)
        {
            var expected = Expected[(int)result.Line - 1];
            Assert.True(expected.Error == result.Error,
                $"{strategy}: {expected.Failure.ToWireName()} should give {expected.Error?.ToWireName() ?? "no error"}, gave {result.Error?.ToWireName() ?? "no error"}: {result.ErrorMessage}");
            if (expected.Error is null)
            {
                Assert.Equal(expected.Status, result.Status);
                if (http2) Assert.Equal("2", result.HttpVersion);
            }
        }
    }
}
