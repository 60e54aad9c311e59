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

    public IAsyncEnumerable<FetchResult> RunAsync(IAsyncEnumerable<UrlRequest> requests, CancellationToken cancellationToken = default) =>
        LoopPipeline.RunAsync(requests, concurrency, concurrency, concurrency,
            (input, output, stopToken) =>
            {
                FetchLoop(input, output, cancellationToken, stopToken);
                return Task.CompletedTask;
            },
            cancellationToken, LoopPipeline.OnDedicatedThreads("quiver-fetch"));

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
