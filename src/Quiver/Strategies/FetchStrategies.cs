using Quiver.Fetching;
using Quiver.Handlers;

namespace Quiver.Strategies;

/// <summary>Builds a strategy from its options.</summary>
public static class FetchStrategies
{
    /// <summary>
    /// Creates the strategy <paramref name="strategy"/> describes. <paramref name="handlers"/> run only in
    /// the in-process models; worker processes run the built-in handlers that <paramref name="fetch"/> selects.
    /// </summary>
    public static IFetchStrategy Create(StrategyOptions strategy, FetchOptions fetch, IEnumerable<IResponseHandler>? handlers = null)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(fetch);
        strategy.Validate();
        fetch.Validate();
        int concurrency = strategy.EffectiveConcurrency;
        return strategy.Kind switch
        {
            StrategyKind.Sequential => new SequentialStrategy(new Fetcher(fetch, handlers)),
            StrategyKind.Threads => new ThreadsStrategy(new Fetcher(fetch, handlers), concurrency),
            StrategyKind.Async => new AsyncStrategy(new Fetcher(fetch, handlers), concurrency, strategy.Adaptive, strategy.RecordConcurrency),
            StrategyKind.Processes => new ProcessesStrategy(fetch, strategy.Worker ?? WorkerLauncher.CurrentExecutable(), concurrency),
            StrategyKind.AsyncProcesses => new AsyncProcessesStrategy(fetch, strategy.Worker ?? WorkerLauncher.CurrentExecutable(), concurrency, strategy.ChunkSize),
            _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
        };
    }
}
