using System.Runtime.CompilerServices;
using Quiver.Input;
using Quiver.Output;
using Quiver.Strategies;

namespace Quiver.Running;

/// <summary>
/// Drives one run: input → strategy → writer, counting as it goes. Results are written the moment
/// they finish and flushed once no other result has been ready for <see cref="FlushDelay"/>, so a
/// killed run keeps what it wrote up to that moment.
/// </summary>
public static class FetchRun
{
    /// <summary>
    /// How long finished results may sit in the writer's buffer while the run waits for more. Flushing
    /// the moment nothing is ready cost one write system call per result at tens of thousands of
    /// results a second (bench/scale.sh); a short delay batches them and still loses at most this much on a kill.
    /// </summary>
    public static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(50);

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
        await using var enumerator = results.GetAsyncEnumerator(CancellationToken.None);
        Task? flushDue = null; // started when the first unflushed result is written
        while (true)
        {
            var next = enumerator.MoveNextAsync();
            bool more;
            if (next.IsCompleted || flushDue is null)
            {
                more = await next.ConfigureAwait(false);
            }
            else
            {
                // Nothing ready right now: wait for the next result, but make what is written durable
                // once it has waited long enough.
                var waiting = next.AsTask();
                if (await Task.WhenAny(waiting, flushDue).ConfigureAwait(false) != waiting)
                {
                    await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                    flushDue = null;
                }
                more = await waiting.ConfigureAwait(false);
            }
            if (!more) break;
            await writer.WriteAsync(enumerator.Current, CancellationToken.None).ConfigureAwait(false);
            statistics.OnCompleted(enumerator.Current);
            flushDue ??= Task.Delay(FlushDelay, CancellationToken.None);
        }
        await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
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
