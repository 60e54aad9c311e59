using System.Threading.Channels;
using Quiver.Fetching;
using Quiver.Input;

namespace Quiver.Strategies;

/// <summary>
/// The two processes models: <c>workers</c> processes of our own executable, each handed a batch of
/// URLs at a time and given the next batch only when every URL of the last one is answered. A
/// worker that dies is replaced; the URLs it held are reported as <c>worker-crashed</c>.
/// </summary>
public abstract class WorkerPoolStrategy : IFetchStrategy
{
    /// <summary>
    /// The fewest results the pipeline holds for the consumer; more when a batch is bigger, so that a
    /// whole batch's answers fit.
    /// </summary>
    internal const int MinOutputCapacity = 64;

    private readonly FetchOptions _options;
    private readonly WorkerLauncher _launcher;
    private readonly int _workers;
    private readonly int _batchSize;
    private readonly int _perWorkerConcurrency;

    private protected WorkerPoolStrategy(FetchOptions options, WorkerLauncher launcher, int workers, int batchSize, int perWorkerConcurrency)
    {
        _options = options;
        _launcher = launcher;
        _workers = workers;
        _batchSize = batchSize;
        _perWorkerConcurrency = perWorkerConcurrency;
    }

    public abstract string Name { get; }

    /// <summary>Raised with the process id of each worker as it starts (for measuring the whole tree, and for tests).</summary>
    public event Action<int>? WorkerStarted;

    public IAsyncEnumerable<FetchResult> RunAsync(IAsyncEnumerable<UrlRequest> requests, CancellationToken cancellationToken = default) =>
        LoopPipeline.RunAsync(requests, _workers, _workers * _batchSize, Math.Max(MinOutputCapacity, _batchSize),
            (input, output, stopToken) => RunSlotAsync(input, output, cancellationToken, stopToken), cancellationToken);

    /// <summary>
    /// One worker's life cycle: take a batch, hand it over, wait for every answer, repeat. A cancelled
    /// run (<paramref name="runToken"/>) still reports every URL taken, as cancelled; a consumer that
    /// has gone (<paramref name="stopToken"/>) gets nothing more, and the worker is ended at once.
    /// </summary>
    private async Task RunSlotAsync(ChannelReader<UrlRequest> input, ChannelWriter<FetchResult> output, CancellationToken runToken, CancellationToken stopToken)
    {
        WorkerProcess? worker = null;
        var batch = new List<UrlRequest>(_batchSize);
        try
        {
            while (await input.WaitToReadAsync(stopToken).ConfigureAwait(false))
            {
                // A chunk is the next K URLs of the list (as the seed's urls[i:i+K]): wait for it to fill
                // unless the input ends first.
                batch.Clear();
                do
                {
                    while (batch.Count < _batchSize && input.TryRead(out var request)) batch.Add(request);
                }
                while (batch.Count < _batchSize && await input.WaitToReadAsync(stopToken).ConfigureAwait(false));
                if (batch.Count == 0) continue;

                if (runToken.IsCancellationRequested)
                {
                    // What is still queued once the run is cancelled is reported, not handed to a worker.
                    foreach (var request in batch)
                        await output.WriteAsync(FetchResult.NotStarted(request), stopToken).ConfigureAwait(false);
                    continue;
                }
                if (worker is null)
                {
                    worker = await WorkerProcess.StartAsync(_launcher, _options, _perWorkerConcurrency, stopToken).ConfigureAwait(false);
                    WorkerStarted?.Invoke(worker.ProcessId);
                }
                if (!await worker.RunBatchAsync(batch, output, runToken, stopToken).ConfigureAwait(false))
                {
                    worker.Dispose();
                    worker = null;
                }
            }
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            // The consumer has gone: there is no one left to deliver to.
        }
        finally
        {
            worker?.Dispose();
        }
    }

    /// <summary>Nothing to release: each run starts its worker processes and ends them before it returns.</summary>
    public void Dispose()
    {
    }
}

/// <summary>ProcessPoolExecutor with a blocking fetch: each worker process fetches one URL at a time.</summary>
internal sealed class ProcessesStrategy(FetchOptions options, WorkerLauncher launcher, int workers)
    : WorkerPoolStrategy(options, launcher, workers, batchSize: 1, perWorkerConcurrency: 1)
{
    public override string Name => "processes";
}

/// <summary>Async inside a process pool: each worker process fetches a chunk of URLs concurrently, then takes the next chunk.</summary>
internal sealed class AsyncProcessesStrategy(FetchOptions options, WorkerLauncher launcher, int workers, int chunkSize)
    : WorkerPoolStrategy(options, launcher, workers, batchSize: chunkSize, perWorkerConcurrency: chunkSize)
{
    public override string Name => "async-processes";
}
