using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Quiver.Fetching;
using Quiver.Input;

namespace Quiver.Strategies;

/// <summary>
/// A thread pool in the sense of Python's ThreadPoolExecutor: <c>concurrency</c> dedicated OS
/// threads, each making blocking calls (<see cref="Fetcher.Fetch"/>: HttpClient.Send and synchronous
/// reads). Blocking is the model being measured, so these threads wait on purpose.
/// </summary>
internal sealed class ThreadsStrategy(Fetcher fetcher, int concurrency) : IFetchStrategy
{
    public string Name => "threads";

    public async IAsyncEnumerable<FetchResult> RunAsync(IAsyncEnumerable<UrlRequest> requests, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var input = InputPump.Start(requests, concurrency, stop.Token);
        var output = Channel.CreateBounded<FetchResult>(new BoundedChannelOptions(concurrency) { SingleReader = true });
        int running = concurrency;
        Exception? failure = null;

        for (int i = 0; i < concurrency; i++)
        {
            var thread = new Thread(() =>
            {
                try
                {
                    FetchLoop(input.Reader, output.Writer, cancellationToken, stop.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
                catch (OperationCanceledException)
                {
                    // The consumer stopped early.
                }
                finally
                {
                    if (Interlocked.Decrement(ref running) == 0) output.Writer.TryComplete(failure);
                }
            })
            {
                IsBackground = true,
                Name = $"quiver-fetch-{i}",
            };
            thread.Start();
        }

        try
        {
            await foreach (var result in output.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                yield return result;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private void FetchLoop(ChannelReader<UrlRequest> input, ChannelWriter<FetchResult> output, CancellationToken runToken, CancellationToken stopToken)
    {
        // Blocking waits throughout: each thread owns one request at a time, start to finish.
        while (input.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
        {
            while (input.TryRead(out var request))
            {
                var result = fetcher.Fetch(request, runToken);
                while (!output.TryWrite(result))
                {
                    if (!output.WaitToWriteAsync(stopToken).AsTask().GetAwaiter().GetResult())
                        return;
                }
            }
        }
    }

    public void Dispose() => fetcher.Dispose();
}
