using Quiver.Cli.Race;

namespace Quiver.Tests.Race;

public sealed class RaceRecommendationTests
{
    private static StrategyFigures Row(string strategy, int concurrency, double wall, int ok, int failed, double cpu = 1.0, double? simCpu = null) =>
        new(strategy, concurrency, concurrency, wall, wall, wall, ok, failed, (ok + failed) / wall, 10, 20, wall / 1.0, 100 << 20, cpu, [], simCpu);

    [Fact]
    public void FasterRunThatDropsUrls_IsNotRecommended()
    {
        var list = new ListFigures("top500", 500, 1.0, 26.0, "http://slow.test/", 26.0,
        [
            Row("async", 512, 1.17, 299, 201),
            Row("threads", 6, 5.4, 485, 15),
            Row("async-processes", 2, 3.0, 485, 15),
        ]);

        var lines = RaceRecommendation.For([list], 2);

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
        Assert.StartsWith("top10: async (concurrency 256) is fastest at 0.100 s", RaceRecommendation.For([list], 2)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Tuning_RecommendsTheFastestMeasuredWidth_ThatLosesNoUrls()
    {
        var async256 = Row("async", 256, 1.5, 485, 15, cpu: 1.2, simCpu: 0.6);
        var list = new ListFigures("top500", 500, 1.0, 26.0, "http://slow.test/", 26.0,
            [async256, Row("threads", 6, 5.4, 485, 15)],
            [Row("async", 128, 1.9, 485, 15), async256, Row("async", 512, 1.1, 470, 30, cpu: 1.0, simCpu: 0.7)]);

        string advice = RaceRecommendation.For([list], 2).Single(l => l.StartsWith("Recommendation", StringComparison.Ordinal));

        Assert.StartsWith("Recommendation for this workload (top500, 500 URLs): async at concurrency 256, the fastest of the settings measured", advice, StringComparison.Ordinal);
        Assert.Contains("512 → 1.100 s with 15 URLs lost", advice, StringComparison.Ordinal);
        Assert.Contains("1.50× the limit", advice, StringComparison.Ordinal);
    }

    [Fact]
    public void MachineUtilisation_SaysWhetherTheCoresOrTheWaitingBoundTheRun()
    {
        ListFigures With(double cpu, double simCpu) => new("top500", 500, 1.0, 26.0, "http://slow.test/", 26.0,
            [Row("async", 256, 1.0, 485, 15, cpu, simCpu)], [Row("async", 128, 1.2, 485, 15), Row("async", 256, 1.0, 485, 15, cpu, simCpu), Row("async", 512, 0.9, 400, 100)]);

        // (1.2 + 0.6) / (1.0 s × 2 cores) = 90 % busy; (0.3 + 0.2) / 2 = 25 %.
        var busy = RaceRecommendation.For([With(1.2, 0.6)], 2);
        var idle = RaceRecommendation.For([With(0.3, 0.2)], 2);

        Assert.Contains(busy, l => l.Contains("2 cores 90% busy", StringComparison.Ordinal) && l.Contains("the cores, not the width, bound it", StringComparison.Ordinal)
            && l.Contains("wider settings lose URLs", StringComparison.Ordinal));
        Assert.Contains(idle, l => l.Contains("2 cores 25% busy", StringComparison.Ordinal) && l.Contains("the waiting in the list, not the CPU", StringComparison.Ordinal));
    }
}
