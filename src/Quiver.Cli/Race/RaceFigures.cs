namespace Quiver.Cli.Race;

/// <summary>What one run of one strategy over one list measured.</summary>
/// <param name="WallSeconds">From building the strategy to its end, measured inside the run's process.</param>
/// <param name="Ok">URLs that got a response (any status).</param>
/// <param name="Failed">URLs that ended with an error kind.</param>
/// <param name="RequestsPerSecond">URLs finished per second of wall time.</param>
/// <param name="LatencyP50Ms">Median per-URL time (redirects included).</param>
/// <param name="LatencyP95Ms">95th percentile per-URL time.</param>
/// <param name="PeakMemoryBytes">Sum of the peak resident memory of the run's process and its worker processes.</param>
/// <param name="CpuSeconds">User + system CPU of the run's process and its worker processes over the timed span (the runtime's start excluded).</param>
/// <param name="Concurrency">Threads, requests in flight or worker processes the strategy used.</param>
/// <param name="InFlight">Most requests the strategy can have in flight at once (async-processes: workers × chunk).</param>
/// <param name="SimCpuSeconds">CPU the sim spent serving the run (it shares the machine's cores); null in a live race.</param>
internal sealed record RunFigures(
    double WallSeconds, int Ok, int Failed, double RequestsPerSecond, double? LatencyP50Ms, double? LatencyP95Ms,
    long PeakMemoryBytes, double? CpuSeconds, int Concurrency, int InFlight, double? SimCpuSeconds = null);

/// <summary>One strategy on one list over all repeats: the table row.</summary>
internal sealed record StrategyFigures(
    string Strategy,
    int Concurrency,
    int InFlight,
    double WallMedianSeconds,
    double WallMinSeconds,
    double WallMaxSeconds,
    int Ok,
    int Failed,
    double RequestsPerSecond,
    double? LatencyP50Ms,
    double? LatencyP95Ms,
    double? WallOverLimit,
    long PeakMemoryBytes,
    double? CpuSeconds,
    IReadOnlyList<RunFigures> Runs,
    double? SimCpuSeconds = null);

/// <summary>One list: its bounds and every strategy's row.</summary>
/// <param name="Name">"top10", "top500", or the list file's name.</param>
/// <param name="Urls">Lines of the list.</param>
/// <param name="LimitSeconds">The critical path (least possible wall time), null in a live race.</param>
/// <param name="TotalWorkSeconds">The sequential sum of every URL's least time, null in a live race.</param>
/// <param name="SlowestUrl">The URL that sets the limit.</param>
/// <param name="Strategies">One row per strategy, in the order raced.</param>
/// <param name="ConcurrencyNeeded">Total work ÷ limit: requests that must be in flight on average to finish at the limit.</param>
/// <param name="Tuning">The fastest strategy again at other concurrencies (the main list only), so the recommended setting is a measured one.</param>
internal sealed record ListFigures(
    string Name,
    int Urls,
    double? LimitSeconds,
    double? TotalWorkSeconds,
    string? SlowestUrl,
    double? ConcurrencyNeeded,
    IReadOnlyList<StrategyFigures> Strategies,
    IReadOnlyList<StrategyFigures>? Tuning = null);

/// <summary>The settings every strategy ran with.</summary>
internal sealed record RaceConditions(
    bool Live, int Seed, double TimeScale, int Repeat, double ClientTimeoutSeconds, int ProcessorCount, string Os, string Runtime, string Command);

/// <summary>Everything <c>quiver race</c> measured: race.json.</summary>
internal sealed record RaceReport(DateTimeOffset Started, double ElapsedSeconds, RaceConditions Conditions, IReadOnlyList<ListFigures> Lists, IReadOnlyList<string> Recommendation);
