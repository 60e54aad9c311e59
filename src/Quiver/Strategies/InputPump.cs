using System.Threading.Channels;
using Quiver.Input;

namespace Quiver.Strategies;

/// <summary>
/// Moves the lazily read input into a bounded channel, so a strategy holds at most a few items
/// beyond those in flight. Cancellation ends the input cleanly (what was read still finishes);
/// a failure to read the input fails the run.
/// </summary>
internal static class InputPump
{
    /// <param name="requests">The input, read lazily.</param>
    /// <param name="capacity">Items the channel holds before the pump waits.</param>
    /// <param name="endInput">Stops reading: the run was cancelled or the consumer has gone.</param>
    /// <param name="stop">The consumer has gone: nobody will read the channel any more.</param>
    public static Channel<UrlRequest> Start(IAsyncEnumerable<UrlRequest> requests, int capacity, CancellationToken endInput, CancellationToken stop)
    {
        var channel = Channel.CreateBounded<UrlRequest>(new BoundedChannelOptions(capacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var request in requests.WithCancellation(endInput).ConfigureAwait(false))
                {
                    try
                    {
                        await channel.Writer.WriteAsync(request, endInput).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        // The run was cancelled while this URL waited for room. It was taken from the
                        // input, so it still gets its (cancelled) record: the loops drain the queue
                        // until the consumer goes.
                        await channel.Writer.WriteAsync(request, stop).ConfigureAwait(false);
                        throw;
                    }
                }
                channel.Writer.TryComplete();
            }
            catch (OperationCanceledException) when (endInput.IsCancellationRequested)
            {
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        return channel;
    }
}
