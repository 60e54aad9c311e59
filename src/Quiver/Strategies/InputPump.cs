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
    public static Channel<UrlRequest> Start(IAsyncEnumerable<UrlRequest> requests, int capacity, CancellationToken cancellationToken)
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
                await foreach (var request in requests.WithCancellation(cancellationToken).ConfigureAwait(false))
                    await channel.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
                channel.Writer.TryComplete();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
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
