using Quiver.Cli.Race;

namespace Quiver.Tests.Race;

public sealed class RaceRecommendationTests
{
    private static StrategyFigures Row(string strategy, int concurrency, double wall, int ok, int failed) =>
        new(strategy, concurrency, concurrency, wall, wall, wall, ok, failed, (ok + failed) / wall, 10, 20, wall / 1.0, 100 << 20, 1.0, []);

    [Fact]
    public void FasterRunThatDropsUrls_IsNotRecommended()
    {
        var list = new ListFigures("top500", 500, 1.0, 26.0, "http://slow.test/", 26.0,
        [
            Row("async", 512, 1.17, 299, 201),
            Row("threads", 6, 5.4, 485, 15),
            Row("async-processes", 2, 3.0, 485, 15),
        ]);

        var lines = RaceRecommendation.For([list]);

        Assert.StartsWith("top500: async-processes (concurrency 2) is fastest", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("async (concurrency 512) ended in 1.170 s but fetched 299 URLs", StringComparison.Ordinal));
        Assert.StartsWith("Recommendation for this workload (top500, 500 URLs): async-processes", lines.Single(l => l.StartsWith("Recommendation", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void EqualCompleteness_FastestWins()
    {
        var list = new ListFigures("top10", 10, 0.06, 0.33, "http://a.test/", 5.5,
        [
            Row("sequential", 1, 0.46, 10, 0),
            Row("async", 256, 0.10, 10, 0),
        ]);
        Assert.StartsWith("top10: async (concurrency 256) is fastest at 0.100 s", RaceRecommendation.For([list])[0], StringComparison.Ordinal);
    }
}
