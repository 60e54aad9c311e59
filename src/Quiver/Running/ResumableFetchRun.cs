using System.Runtime.CompilerServices;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Output;
using Quiver.Output.Warc;
using Quiver.State;
using Quiver.Strategies;

namespace Quiver.Running;

/// <summary>
/// <see cref="FetchRun"/> on a <see cref="RunStore"/>: lines already done are skipped, and each
/// finished line is written to the output and then committed as done, in batches, by the store's one
/// commit (output before state). The output is JSON lines, as the state holds: each result is
/// serialised once, and the same line goes to both.
/// </summary>
public static class ResumableFetchRun
{
    private const int MaxBatch = 512;

    /// <summary>Runs the input lines not yet done, committing as it goes. Cancelled fetches are neither written nor committed.</summary>
    /// <remarks>The run's state, output and WARC are <paramref name="store"/>'s; its output must be open.</remarks>
    public static async Task RunAsync(
        IAsyncEnumerable<UrlRequest> requests,
        IFetchStrategy strategy,
        RunStore store,
        RunStatistics statistics,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(statistics);
        var writer = store.Writer;
        var completed = store.Progress.CompletedLines();
        var batch = new List<(long Line, string Json)>();
        var results = strategy.RunAsync(Remaining(requests, completed, statistics, cancellationToken), cancellationToken);
        await DurableLoop.RunAsync(results, result =>
        {
            if (result.Error == FetchErrorKind.Cancelled) return ValueTask.FromResult(false);
            batch.Add((result.Line, writer.WriteAndGetJson(result)));
            statistics.OnCompleted(result);
            return ValueTask.FromResult(true);
        }, async () =>
        {
            await store.CommitAsync(warcLength => store.Progress.Commit(batch, warcLength)).ConfigureAwait(false);
            batch.Clear();
        }, MaxBatch).ConfigureAwait(false);
        if (!cancellationToken.IsCancellationRequested) store.Finish();
    }

    /// <summary>The same run over parts the caller opened: the results writer, the state's progress and the WARC.</summary>
    public static async Task RunAsync(
        IAsyncEnumerable<UrlRequest> requests,
        IFetchStrategy strategy,
        JsonLinesResultWriter writer,
        FetchProgress progress,
        WarcWriter? warc,
        RunStatistics statistics,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(progress);
        await using var store = RunStore.Over(progress.Database, writer, warc);
        await RunAsync(requests, strategy, store, statistics, cancellationToken).ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<UrlRequest> Remaining(
        IAsyncEnumerable<UrlRequest> requests, LineSet completed, RunStatistics statistics, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var request in requests.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (completed.Contains(request.Line)) continue;
            statistics.OnRead();
            yield return request;
        }
    }
}
