using Quiver.SimWeb;
using Quiver.Strategies;

namespace Quiver.Cli.Race;

/// <summary>What <c>quiver race</c> runs. Defaults are chosen so the default race (five strategies on top10 and top500) ends within 3 minutes on 2 cores.</summary>
internal sealed record RaceSettings
{
    /// <summary>Delays at a tenth of real life: the top-500 race keeps its shape (tail, timeouts) in a tenth of the time.</summary>
    public const double DefaultTimeScale = 0.1;

    /// <summary>Repeats per strategy and list; the table shows the median and the range.</summary>
    public const int DefaultRepeat = 2;

    /// <summary>The client's whole-fetch timeout at time scale 1 (scaled with the sim's delays).</summary>
    public static readonly TimeSpan ClientTimeoutAtScaleOne = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The least client timeout, whatever the time scale. The scale shrinks the network's delays but
    /// not the CPU that TLS handshakes cost on both sides of the shared cores: at 0.1, a 1 s
    /// timeout turned that CPU into timeouts (a 512-wide async run lost 1 to 174 URLs of 500 in
    /// five runs), so the race measured the machine's cores instead of the models.
    /// </summary>
    public static readonly TimeSpan MinimumClientTimeout = TimeSpan.FromSeconds(2);

    /// <summary>"top10", "top500", or a file of URLs.</summary>
    public required IReadOnlyList<string> Lists { get; init; }

    public required IReadOnlyList<StrategyKind> Strategies { get; init; }

    public int Repeat { get; init; } = DefaultRepeat;

    /// <summary>
    /// The sim the race starts, as its flags gave it; the race picks the sim's address itself (see
    /// <see cref="RaceRunner"/>). Held whole, so a new sim setting reaches the race without a copy here.
    /// </summary>
    public SimWebOptions Sim { get; init; } = new() { TimeScale = DefaultTimeScale };

    /// <summary>Race the real internet instead of the sim (no limit).</summary>
    public bool Live { get; init; }

    /// <summary>Concurrency for every strategy that has one; null takes each strategy's default.</summary>
    public int? Concurrency { get; init; }

    public required string OutDirectory { get; init; }

    /// <summary>Race async once more with <c>--concurrency auto</c> (when async is raced), beside the fixed widths.</summary>
    public bool Auto { get; init; } = true;

    /// <summary>Run the fastest strategy again at half and twice its concurrency, so the recommended setting is a measured one.</summary>
    public bool Tune { get; init; } = true;

    /// <summary>The client timeout every strategy runs with: scaled with the sim (never under <see cref="MinimumClientTimeout"/>), 10 s live.</summary>
    public TimeSpan ClientTimeout => Live ? ClientTimeoutAtScaleOne
        : TimeSpan.FromTicks(Math.Max(MinimumClientTimeout.Ticks, (ClientTimeoutAtScaleOne * Sim.TimeScale).Ticks));
}
