using System.Runtime.CompilerServices;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Output;
using Quiver.Output.Warc;
using Quiver.State;
using Quiver.Strategies;

namespace Quiver.Running;

/// <summary>
/// <see cref="FetchRun"/> with a state file: lines already done are skipped, and each finished line
/// is written to the output and then committed as done, in batches. Output before state is what
/// makes a kill safe at any instant: a line committed is always in the output, and a line in the
/// output but not committed is dropped by <see cref="JsonLinesRepair"/> and fetched again. The output
/// is JSON lines, as the state holds: each result is serialised once, and the same line goes to both.
/// </summary>
public static class ResumableFetchRun
{
    private const int MaxBatch = 512;

    /// <summary>Runs the input lines not yet done, committing as it goes. Cancelled fetches are neither written nor committed.</summary>
    public static async Task RunAsync(
        IAsyncEnumerable<UrlRequest> requests,
        IFetchStrategy strategy,
        JsonLinesResultWriter writer,
        FetchProgress progress,
        WarcWriter? warc,
        RunStatistics statistics,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(statistics);
        var completed = progress.CompletedLines();
        var batch = new List<(long Line, string Json)>();
        var commit = new DurableWhenIdle(() => CommitAsync(writer, progress, warc, batch));
        var results = strategy.RunAsync(Remaining(requests, completed, statistics, cancellationToken), cancellationToken);
        await using var enumerator = results.GetAsyncEnumerator(CancellationToken.None);
        while (await commit.WaitAsync(enumerator.MoveNextAsync()).ConfigureAwait(false))
        {
            var result = enumerator.Current;
            if (result.Error == FetchErrorKind.Cancelled) continue;
            batch.Add((result.Line, writer.WriteAndGetJson(result)));
            statistics.OnCompleted(result);
            commit.Wrote();
            if (batch.Count >= MaxBatch) await commit.NowAsync().ConfigureAwait(false);
        }
        // A commit flushes the output first; with nothing left to commit, everything written is flushed already.
        if (batch.Count > 0) await commit.NowAsync().ConfigureAwait(false);
        if (!cancellationToken.IsCancellationRequested) progress.Database.SetMeta(MetaKeys.Finished, "1");
    }

    /// <summary>Output first, then the state: a committed line is always already in the output file.</summary>
    private static async ValueTask CommitAsync(JsonLinesResultWriter writer, FetchProgress progress, WarcWriter? warc, List<(long Line, string Json)> batch)
    {
        await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        long? warcLength = warc is null ? null : await warc.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        progress.Commit(batch, warcLength);
        batch.Clear();
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
