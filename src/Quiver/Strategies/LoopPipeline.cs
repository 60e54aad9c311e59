using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Quiver.Fetching;
using Quiver.Input;

namespace Quiver.Strategies;

/// <summary>
/// The shape every concurrent model shares: a fixed number of loops draining one bounded input
/// channel into one bounded output channel, results yielded as they finish. The run ends when every
/// loop has returned; a loop's exception fails the run. Where a loop runs is the model's choice:
/// on the thread pool (async, worker pools) or on a dedicated OS thread of its own (threads).
/// </summary>
internal static class LoopPipeline
{
    /// <summary>A loop: reads requests, writes results; the token is cancelled when the consumer stops early.</summary>
    public delegate Task Loop(ChannelReader<UrlRequest> input, ChannelWriter<FetchResult> output, CancellationToken stopToken);

    /// <summary>Starts one loop; the task ends when the loop does.</summary>
    public delegate Task LoopStarter(Func<Task> loop, int index);

    /// <summary>Loops as tasks on the thread pool.</summary>
    public static readonly LoopStarter OnThreadPool = (loop, _) => Task.Run(loop, CancellationToken.None);

    /// <summary>
    /// Each loop on a dedicated background OS thread named <paramref name="name"/>-N, which the loop
    /// may block at will: the threads model blocks on purpose.
    /// </summary>
    public static LoopStarter OnDedicatedThreads(string name) => (loop, index) =>
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                loop().GetAwaiter().GetResult();
                ended.TrySetResult();
            }
            catch (OperationCanceledException)
            {
                ended.TrySetCanceled();
            }
            catch (Exception e)
            {
                ended.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = $"{name}-{index}",
        };
        thread.Start();
        return ended.Task;
    };

    public static async IAsyncEnumerable<FetchResult> RunAsync(
        IAsyncEnumerable<UrlRequest> requests, int loops, int inputCapacity, int outputCapacity, Loop loop,
        [EnumeratorCancellation] CancellationToken cancellationToken, LoopStarter? start = null)
    {
        start ??= OnThreadPool;
        // Stop means the consumer has gone. A cancelled run only ends the input: the loops still
        // deliver a (cancelled) record for every URL they took, so stop is not linked to the run token.
        using var stop = new CancellationTokenSource();
        using var endInput = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop.Token);
        var input = InputPump.Start(requests, inputCapacity, endInput.Token, stop.Token);
        var output = Channel.CreateBounded<FetchResult>(new BoundedChannelOptions(outputCapacity) { SingleReader = true });

        var running = new Task[loops];
        for (int i = 0; i < running.Length; i++)
            running[i] = start(() => loop(input.Reader, output.Writer, stop.Token), i);
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
