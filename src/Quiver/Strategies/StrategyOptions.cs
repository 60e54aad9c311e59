using Quiver.Concurrency;

namespace Quiver.Strategies;

/// <summary>The five concurrency models.</summary>
public enum StrategyKind
{
    Sequential,
    Threads,
    Async,
    Processes,
    AsyncProcesses,
}

/// <summary>How a strategy spreads the work. Defaults follow each model's usual default.</summary>
public sealed record StrategyOptions
{
    public StrategyKind Kind { get; init; } = StrategyKind.Async;

    /// <summary>
    /// Threads, tasks in flight, or worker processes, by model; null takes the model's default
    /// (<see cref="DefaultConcurrency"/>).
    /// </summary>
    public int? Concurrency { get; init; }

    /// <summary>
    /// <c>--concurrency auto</c> (async only): the width is adjusted while the run goes, within these
    /// bounds, and <see cref="Concurrency"/> must be null. Null: a fixed width.
    /// </summary>
    public AdaptiveConcurrencyOptions? Adaptive { get; init; }

    /// <summary>Each record carries the width in force when its fetch started (<c>--record-concurrency</c>; async only).</summary>
    public bool RecordConcurrency { get; init; }

    /// <summary>URLs handed to an async worker process at a time (async-processes only).</summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>How to start a worker process of our own executable (processes models only).</summary>
    public WorkerLauncher? Worker { get; init; }

    /// <summary>Async fetches in flight by default; see the README for the measurement behind it.</summary>
    public const int DefaultAsyncConcurrency = 256;

    /// <summary>URLs per chunk by default for async-processes; see the README for the measurement behind it.</summary>
    public const int DefaultChunkSize = 64;

    /// <summary>The default for <paramref name="kind"/>: 1; Python's ThreadPoolExecutor's min(32, cores + 4); <see cref="DefaultAsyncConcurrency"/>; cores.</summary>
    public static int DefaultConcurrency(StrategyKind kind) => kind switch
    {
        StrategyKind.Sequential => 1,
        StrategyKind.Threads => Math.Min(32, Environment.ProcessorCount + 4),
        StrategyKind.Async => DefaultAsyncConcurrency,
        _ => Environment.ProcessorCount,
    };

    /// <summary>The fixed width, or under <see cref="Adaptive"/> the most it may reach.</summary>
    public int EffectiveConcurrency => Kind == StrategyKind.Sequential ? 1 : Adaptive?.MaxWidth ?? Concurrency ?? DefaultConcurrency(Kind);

    /// <summary>Whether the kind can adjust its width while it runs.</summary>
    public static bool SupportsAdaptive(StrategyKind kind) => kind == StrategyKind.Async;

    public StrategyOptions Validate()
    {
        if (Concurrency is < 1) throw new ArgumentException("concurrency must be at least 1");
        if (ChunkSize < 1) throw new ArgumentException("chunk size must be at least 1");
        if (Adaptive is not null)
        {
            if (!SupportsAdaptive(Kind)) throw new ArgumentException($"--concurrency auto applies to the async strategy, not {NameOf(Kind)}: give a number");
            if (Concurrency is not null) throw new ArgumentException("give --concurrency N or auto, not both");
            Adaptive.Validate();
        }
        return this;
    }

    /// <summary>Wire names of the kinds, as on the command line.</summary>
    public static string NameOf(StrategyKind kind) => kind switch
    {
        StrategyKind.Sequential => "sequential",
        StrategyKind.Threads => "threads",
        StrategyKind.Async => "async",
        StrategyKind.Processes => "processes",
        StrategyKind.AsyncProcesses => "async-processes",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParseKind(string name, out StrategyKind kind)
    {
        foreach (var candidate in Enum.GetValues<StrategyKind>())
        {
            if (string.Equals(NameOf(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }
}
