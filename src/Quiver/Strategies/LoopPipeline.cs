using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Quiver.Fetching;
using Quiver.Input;

namespace Quiver.Strategies;

/// <summary>
/// The shape the async and worker-pool models share: a fixed number of loops draining one bounded
/// input channel into one bounded output channel, results yielded as they finish. The run ends when
/// every loop has returned; a loop's exception fails the run.
/// </summary>
internal static class LoopPipeline
{
    /// <summary>A loop: reads requests, writes results; the token is cancelled when the consumer stops early.</summary>
    public delegate Task Loop(ChannelReader<UrlRequest> input, ChannelWriter<FetchResult> output, CancellationToken stopToken);

    public static async IAsyncEnumerable<FetchResult> RunAsync(
        IAsyncEnumerable<UrlRequest> requests, int loops, int inputCapacity, int outputCapacity, Loop loop,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var input = InputPump.Start(requests, inputCapacity, stop.Token);
        var output = Channel.CreateBounded<FetchResult>(new BoundedChannelOptions(outputCapacity) { SingleReader = true });

        var running = new Task[loops];
        for (int i = 0; i < running.Length; i++)
            running[i] = Task.Run(() => loop(input.Reader, output.Writer, stop.Token), CancellationToken.None);
        _ = Task.WhenAll(running).ContinueWith(
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
}
