using System.Runtime.CompilerServices;
using Quiver.Input;
using Quiver.Output;
using Quiver.Strategies;

namespace Quiver.Running;

/// <summary>
/// Drives one run: input → strategy → writer, counting as it goes. Results are written the moment
/// they finish and flushed when no other result is ready (at most once per
/// <see cref="DurableWhenIdle.Floor"/>), so a killed run keeps what it wrote up to about that moment.
/// </summary>
public static class FetchRun
{
    /// <summary>Runs to the end of the input, or until <paramref name="cancellationToken"/> stops it (finished results are kept).</summary>
    public static async Task RunAsync(
        IAsyncEnumerable<UrlRequest> requests,
        IFetchStrategy strategy,
        IResultWriter writer,
        RunStatistics statistics,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(statistics);
        var results = strategy.RunAsync(Counted(requests, statistics, cancellationToken), cancellationToken);
        await DurableLoop.RunAsync(results, async result =>
        {
            await writer.WriteAsync(result, CancellationToken.None).ConfigureAwait(false);
            statistics.OnCompleted(result);
            return true;
        }, () => writer.FlushAsync(CancellationToken.None), maxBatch: null).ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<UrlRequest> Counted(IAsyncEnumerable<UrlRequest> requests, RunStatistics statistics, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var request in requests.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            statistics.OnRead();
            yield return request;
        }
    }
}
