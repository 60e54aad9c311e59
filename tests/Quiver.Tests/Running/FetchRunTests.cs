using System.Runtime.CompilerServices;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Output;
using Quiver.Running;
using Quiver.Strategies;

namespace Quiver.Tests.Running;

public sealed class FetchRunTests
{
    /// <summary>Yields a result per request, then holds the run open until released, as a slow last host would.</summary>
    private sealed class StallingStrategy(Task release) : IFetchStrategy
    {
        public string Name => "stalling";

        public async IAsyncEnumerable<FetchResult> RunAsync(IAsyncEnumerable<UrlRequest> requests, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var request in requests.WithCancellation(cancellationToken))
                yield return new FetchResult { Line = request.Line, Url = request.Text, Status = 200 };
            await release.WaitAsync(cancellationToken);
        }

        public void Dispose() { }
    }

    /// <summary>Signals once a complete line has reached it.</summary>
    private sealed class LineSignallingStream : MemoryStream
    {
        public TaskCompletionSource FirstLine { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Write(byte[] buffer, int offset, int count)
        {
            base.Write(buffer, offset, count);
            if (Array.IndexOf(buffer, (byte)'\n', offset, count) >= 0) FirstLine.TrySetResult();
        }

        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);
    }

    [Fact]
    public async Task Written_results_reach_the_output_while_the_run_waits_for_more()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new LineSignallingStream();
        await using var writer = ResultWriters.Create(OutputFormat.JsonLines, sink);
        var statistics = new RunStatistics();

        var run = FetchRun.RunAsync(UrlListReader.FromLines(["http://127.0.0.1/a", "http://127.0.0.1/b"]), new StallingStrategy(release.Task), writer, statistics);

        // A kill now must not lose the two finished results: they are flushed though the run is still waiting.
        await sink.FirstLine.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(run.IsCompleted);
        Assert.Equal(2, sink.ToArray().Count(b => b == (byte)'\n'));

        release.SetResult();
        await run;
        Assert.Equal(2, statistics.Completed);
    }
}
