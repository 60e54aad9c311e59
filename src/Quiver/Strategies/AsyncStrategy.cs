using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Quiver.Concurrency;
using Quiver.Fetching;
using Quiver.Input;

namespace Quiver.Strategies;

/// <summary>
/// Async I/O: a fixed set of <c>concurrency</c> loops, each awaiting one fetch at a time, so at most
/// that many requests are in flight and no thread is blocked while they wait. A fixed set of loops
/// (rather than a task per URL) keeps memory flat however long the list.
/// With <c>--concurrency auto</c> there are as many loops as the cap allows, and a gate whose width
/// a <see cref="ConcurrencyController"/> adjusts stands between each loop and its fetch.
/// </summary>
internal sealed class AsyncStrategy(Fetcher fetcher, int concurrency, AdaptiveConcurrencyOptions? adaptive = null, bool recordWidth = false)
    : IFetchStrategy, IReportsWidth
{
    private ConcurrencyController? _controller;

    public string Name => "async";

    public WidthReport? Width => _controller?.Report;

    /// <summary>The controller of the last run under auto (tests read its history).</summary>
    internal ConcurrencyController? Controller => _controller;

    public IAsyncEnumerable<FetchResult> RunAsync(IAsyncEnumerable<UrlRequest> requests, CancellationToken cancellationToken = default)
    {
        if (adaptive is null)
        {
            return LoopPipeline.RunAsync(requests, concurrency, concurrency, concurrency,
                (input, output, stopToken) => FetchLoopAsync(input, output, cancellationToken, stopToken), cancellationToken);
        }
        var controller = new ConcurrencyController(adaptive);
        _controller?.Dispose();
        _controller = controller;
        int cap = adaptive.MaxWidth;
        return LoopPipeline.RunAsync(Watched(requests, controller, cancellationToken), cap, cap, cap,
            (input, output, stopToken) => GatedLoopAsync(controller, input, output, cancellationToken, stopToken), cancellationToken);
    }

    private async Task FetchLoopAsync(ChannelReader<UrlRequest> input, ChannelWriter<FetchResult> output, CancellationToken runToken, CancellationToken stopToken)
    {
        while (await input.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (input.TryRead(out var request))
            {
                var result = await fetcher.FetchAsync(request, runToken).ConfigureAwait(false);
                if (recordWidth) result.Concurrency = concurrency;
                await output.WriteAsync(result, stopToken).ConfigureAwait(false);
            }
        }
    }

    private async Task GatedLoopAsync(
        ConcurrencyController controller, ChannelReader<UrlRequest> input, ChannelWriter<FetchResult> output, CancellationToken runToken, CancellationToken stopToken)
    {
        while (await input.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (input.TryRead(out var request))
            {
                FetchResult result;
                // An invalid line is answered without the network: it takes no slot and measures nothing.
                if (request.Uri is null || runToken.IsCancellationRequested)
                {
                    result = await fetcher.FetchAsync(request, runToken).ConfigureAwait(false);
                }
                else
                {
                    ConcurrencyController.Ticket ticket;
                    try
                    {
                        ticket = await controller.StartAsync(runToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (runToken.IsCancellationRequested)
                    {
                        // Stopped while waiting for a slot: the fetcher gives it its not-started record.
                        await output.WriteAsync(await fetcher.FetchAsync(request, runToken).ConfigureAwait(false), stopToken).ConfigureAwait(false);
                        continue;
                    }
                    FetchResult? measured = null;
                    try
                    {
                        measured = await fetcher.FetchAsync(request, runToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        controller.Complete(ticket, measured is { Error: not FetchErrorKind.Cancelled } ? measured : null);
                    }
                    result = measured;
                    if (recordWidth) result.Concurrency = ticket.Width;
                }
                await output.WriteAsync(result, stopToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Tells the controller of each URL read and of the input's end, so it knows what is still to come.</summary>
    private static async IAsyncEnumerable<UrlRequest> Watched(
        IAsyncEnumerable<UrlRequest> requests, ConcurrencyController controller, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var request in requests.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            controller.OnRead();
            yield return request;
        }
        controller.OnInputEnded();
    }

    public void Dispose()
    {
        _controller?.Dispose();
        fetcher.Dispose();
    }
}
