using Quiver.Cli.Race;
using Quiver.Strategies;

namespace Quiver.Tests.Race;

public sealed class RaceSettingsTests
{
    private static RaceSettings At(double timeScale, bool live = false) => new()
    {
        Lists = ["top500"],
        Strategies = [StrategyKind.Async],
        Sim = new() { TimeScale = timeScale },
        Live = live,
        OutDirectory = "unused",
    };

    [Theory]
    [InlineData(1.0, 10.0)]
    [InlineData(0.5, 5.0)]
    [InlineData(0.2, 2.0)]
    // Below 0.2 the scaled timeout would fall under the floor that keeps TLS CPU from becoming timeouts.
    [InlineData(0.1, 2.0)]
    [InlineData(0.01, 2.0)]
    public void ClientTimeout_ScalesWithTheSim_ButNeverBelowTheFloor(double timeScale, double expectedSeconds)
        => Assert.Equal(expectedSeconds, At(timeScale).ClientTimeout.TotalSeconds, 6);

    [Fact]
    public void LiveRace_UsesTheUnscaledTimeout() => Assert.Equal(10.0, At(0.1, live: true).ClientTimeout.TotalSeconds, 6);
}
