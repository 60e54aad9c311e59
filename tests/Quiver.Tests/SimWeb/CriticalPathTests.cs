using Quiver.SimWeb;
using static Quiver.Tests.SimWeb.SimWebTestServer;

namespace Quiver.Tests.SimWeb;

public sealed class CriticalPathTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static SimWorld World(double timeScale, params SiteProfile[] sites) =>
        new(sites, new SimWebOptions { TimeScale = timeScale });

    [Fact]
    public void AChain_CostsANewConnectionPerHop_OneRoundTripPerRequest_ThenThinkAndTransfer()
    {
        // http://a → https://a → https://www.a: TCP (1) + request (1), TCP+TLS (2) + request (1), TCP+TLS (2) + request (1) = 8 round trips.
        var site = Site(1, "a.test", rttMs: 10, thinkMs: 30, bodyBytes: 50_000, bandwidth: 1_000_000, toHttps: true, toWww: true);
        var world = World(1, site);

        var cost = CriticalPath.Cost(world, new Uri("http://a.test/"), Timeout);

        Assert.Equal(TimeSpan.FromMilliseconds(8 * 10 + 30 + 50), cost.Time);
        Assert.Equal(3, cost.Requests);
        Assert.Equal("200", cost.Outcome);
    }

    [Fact]
    public void TheTimeScale_MultipliesEveryDelay()
    {
        var site = Site(1, "a.test", rttMs: 10, thinkMs: 30, bodyBytes: 50_000, bandwidth: 1_000_000, toHttps: true);

        var atOne = CriticalPath.Cost(World(1, site), new Uri("http://a.test/"), Timeout).Time;
        var atTenth = CriticalPath.Cost(World(0.1, site), new Uri("http://a.test/"), Timeout).Time;

        Assert.Equal(TimeSpan.FromMilliseconds(5 * 10 + 30 + 50), atOne);
        Assert.Equal(atOne * 0.1, atTenth);
    }

    [Fact]
    public void Failures_CostWhatTheServerSpendsBeforeFailing()
    {
        var world = World(1,
            Site(1, "refused.test", rttMs: 50, failure: SiteFailure.ConnectionRefused),
            Site(2, "tls.test", rttMs: 50, toHttps: true, failure: SiteFailure.WrongCertificateName),
            Site(3, "hang.test", rttMs: 50, failure: SiteFailure.Hang),
            Site(4, "reset.test", rttMs: 50, thinkMs: 10, bodyBytes: 100_000, bandwidth: 1_000_000, failure: SiteFailure.ResetMidBody));

        Assert.Equal(TimeSpan.Zero, CriticalPath.Cost(world, new Uri("http://refused.test/"), Timeout).Time);
        var tls = CriticalPath.Cost(world, new Uri("http://tls.test/"), Timeout);
        Assert.Equal((TimeSpan.FromMilliseconds(2 * 50 + 2 * 50), "tls"), (tls.Time, tls.Outcome));
        var hang = CriticalPath.Cost(world, new Uri("http://hang.test/"), Timeout);
        Assert.Equal((Timeout, true, "timeout"), (hang.Time, hang.TimedOut, hang.Outcome));
        var reset = CriticalPath.Cost(world, new Uri("http://reset.test/"), Timeout);
        Assert.Equal((TimeSpan.FromMilliseconds(2 * 50 + 10 + 50), "connection-reset"), (reset.Time, reset.Outcome));
    }

    [Fact]
    public void TheLimit_IsTheSlowestUrl_AndTheWorkIsTheSum()
    {
        var world = World(1, Site(1, "fast.test", rttMs: 10, thinkMs: 10, bodyBytes: 10_000), Site(2, "slow.test", rttMs: 100, thinkMs: 500, bodyBytes: 10_000));

        var limit = CriticalPath.Compute(world, [new Uri("http://fast.test/"), new Uri("http://slow.test/")], Timeout);

        Assert.Equal(TimeSpan.FromMilliseconds(2 * 100 + 500 + 10), limit.Limit);
        Assert.Equal(TimeSpan.FromMilliseconds(2 * 10 + 10 + 10) + limit.Limit, limit.TotalWork);
        Assert.Equal(new Uri("http://slow.test/"), limit.Slowest!.Url);
    }
}
