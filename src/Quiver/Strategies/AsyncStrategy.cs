using System.Threading.Channels;
using Quiver.Fetching;
using Quiver.Input;

namespace Quiver.Strategies;

/// <summary>
/// Async I/O: a fixed set of <c>concurrency</c> loops, each awaiting one fetch at a time, so at most
/// that many requests are in flight and no thread is blocked while they wait. A fixed set of loops
/// (rather than a task per URL) keeps memory flat however long the list.
/// </summary>
internal sealed class AsyncStrategy(Fetcher fetcher, int concurrency) : IFetchStrategy
{
    public string Name => "async";

    public IAsyncEnumerable<FetchResult> RunAsync(IAsyncEnumerable<UrlRequest> requests, CancellationToken cancellationToken = default) =>
        LoopPipeline.RunAsync(requests, concurrency, concurrency, concurrency,
            (input, output, stopToken) => FetchLoopAsync(input, output, cancellationToken, stopToken), cancellationToken);

    private async Task FetchLoopAsync(ChannelReader<UrlRequest> input, ChannelWriter<FetchResult> output, CancellationToken runToken, CancellationToken stopToken)
    {
        while (await input.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (input.TryRead(out var request))
            {
                var result = await fetcher.FetchAsync(request, runToken).ConfigureAwait(false);
                await output.WriteAsync(result, stopToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => fetcher.Dispose();
}
