using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Output;
using Quiver.Running;
using Quiver.Strategies;
using Xunit.Abstractions;

namespace Quiver.Tests.Scale;

/// <summary>Runs alone: peak managed memory is process-wide, so no other test may allocate meanwhile.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

/// <summary>
/// Memory regression: 200,000 URLs through the whole engine (lazy input, async strategy, JSON-lines
/// writer) against a local Kestrel, with the managed heap sampled after every garbage collection.
/// </summary>
/// <remarks>
/// Measured with this harness on the development machine: the streaming engine's live heap grows by
/// under 4 MB (Kestrel included); the same run holding the 200,000 parsed requests
/// (line text, <see cref="Uri"/>) and the 200,000 results (URL strings, timings, content type) peaks at
/// about 140 MB, roughly 700 bytes a URL. The bound sits between the two with room on both sides.
/// </remarks>
[Collection(nameof(MemoryMeasurement))]
public sealed class StreamingMemoryTests(ITestOutputHelper output)
{
    private const int Urls = 200_000;
    private const int Concurrency = 64;

    /// <summary>
    /// Largest growth of the live managed heap (after a GC) allowed during the run: over ten times what
    /// streaming needs, a third of what holding the list and its results needs.
    /// </summary>
    private const long PeakHeapBound = 48L * 1024 * 1024;

    [Fact]
    public async Task Fetching_200k_urls_keeps_the_live_heap_under_the_bound_and_writes_every_result()
    {
        await using var server = await TinyLoopbackServer.StartAsync();

        var (peak, lines, ok) = await MeasureRunAsync(server.BaseAddress, materialise: false);
        output.WriteLine($"streaming: live heap grew at most {peak / 1048576.0:F1} MB for {lines:N0} results");

        Assert.Equal(Urls, lines);
        Assert.Equal(Urls, ok);
        Assert.True(peak < PeakHeapBound, $"live heap grew {peak / 1048576.0:F1} MB, bound {PeakHeapBound / 1048576} MB");
    }

    [Fact]
    public async Task The_bound_catches_an_engine_that_holds_the_whole_list()
    {
        // The same run through a pipeline that reads the whole list up front and keeps every result
        // until the end, as list-materialising fetchers do: the harness must see it cross the bound.
        await using var server = await TinyLoopbackServer.StartAsync();

        var (peak, lines, _) = await MeasureRunAsync(server.BaseAddress, materialise: true);
        output.WriteLine($"materialising: live heap grew at most {peak / 1048576.0:F1} MB for {lines:N0} results");

        Assert.Equal(Urls, lines);
        Assert.True(peak > PeakHeapBound, $"live heap grew {peak / 1048576.0:F1} MB, not over {PeakHeapBound / 1048576} MB");
    }

    private static async Task<(long PeakHeap, long Lines, long Ok)> MeasureRunAsync(Uri server, bool materialise)
    {
        var urls = UrlListReader.FromLines(GenerateLines(server));
        var strategy = FetchStrategies.Create(
            new StrategyOptions { Kind = StrategyKind.Async, Concurrency = Concurrency },
            new FetchOptions { Timeout = TimeSpan.FromSeconds(30) });
        var sink = new LineCountingStream();
        await using var writer = ResultWriters.Create(OutputFormat.JsonLines, sink);

        // Only growth counts: whatever earlier tests left in the process (pooled arrays, caches) is the baseline.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long baseline = HeapSampler.LiveHeap(GC.GetGCMemoryInfo(GCKind.Any));
        using var sampler = new HeapSampler();
        if (materialise)
        {
            var everyRequest = await ToListAsync(urls);
            var everyResult = new List<FetchResult>(everyRequest.Count);
            await foreach (var result in strategy.RunAsync(Replay(everyRequest)))
                everyResult.Add(result);
            sampler.SampleNow(); // the whole list and every result are alive right here
            foreach (var result in everyResult)
                await writer.WriteAsync(result);
        }
        else
        {
            await FetchRun.RunAsync(urls, strategy, writer, new RunStatistics());
            sampler.SampleNow();
        }
        await writer.FlushAsync();
        strategy.Dispose();
        return (sampler.Peak - baseline, sink.Lines, sink.Ok);
    }

    /// <summary>Lines made on demand: the list itself never exists in memory.</summary>
    private static IEnumerable<string> GenerateLines(Uri server)
    {
        for (int i = 1; i <= Urls; i++)
            yield return $"http://127.0.0.1:{server.Port}/item/{i}";
    }

    private static async Task<List<UrlRequest>> ToListAsync(IAsyncEnumerable<UrlRequest> requests)
    {
        var list = new List<UrlRequest>();
        await foreach (var request in requests) list.Add(request);
        return list;
    }

    private static async IAsyncEnumerable<UrlRequest> Replay(List<UrlRequest> requests, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var request in requests)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return request;
        }
        await Task.CompletedTask;
    }

    /// <summary>Counts result lines, and those with status 200, without keeping them.</summary>
    private sealed class LineCountingStream : Stream
    {
        private static readonly byte[] StatusOk = "\"status\":200,"u8.ToArray();
        private readonly List<byte> _line = new(512);

        public long Lines { get; private set; }
        public long Ok { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            foreach (byte b in buffer)
            {
                if (b != (byte)'\n')
                {
                    _line.Add(b);
                    continue;
                }
                Lines++;
                if (CollectionsMarshal.AsSpan(_line).IndexOf(StatusOk) >= 0) Ok++;
                _line.Clear();
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
