using System.Runtime.CompilerServices;
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

    public async IAsyncEnumerable<FetchResult> RunAsync(IAsyncEnumerable<UrlRequest> requests, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var input = InputPump.Start(requests, concurrency, stop.Token);
        var output = Channel.CreateBounded<FetchResult>(new BoundedChannelOptions(concurrency) { SingleReader = true });

        var loops = new Task[concurrency];
        for (int i = 0; i < loops.Length; i++)
            loops[i] = Task.Run(() => FetchLoopAsync(input.Reader, output.Writer, cancellationToken, stop.Token), CancellationToken.None);
        _ = Task.WhenAll(loops).ContinueWith(
            done => output.Writer.TryComplete(done.Exception?.GetBaseException()),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        try
        {
            await foreach (var result in output.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                yield return result;
        }
        finally
        {
            // The consumer may stop early: release the loops blocked on a full output channel.
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

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
