using System.Text;
using Quiver.Fetching;
using Quiver.Output;
using Quiver.State;
using Xunit.Abstractions;

namespace Quiver.Tests.Scale;

/// <summary>
/// Memory regression for resume: the output of a 300,000-line run, committed through the real
/// <see cref="FetchProgress.Commit"/> path, repaired with the live managed heap sampled after every
/// garbage collection.
/// </summary>
/// <remarks>
/// The results are about 107 MB of JSON. Measured with this harness on the development machine: the
/// earlier repair, which read the whole file and held every committed result in a dictionary, grew the
/// live heap by about 750 MB; the streaming repair grows it by under 1 MB (two one-bit-a-line sets of
/// 37 KB, the I/O buffers, the line in hand). The bound sits far from both.
/// </remarks>
[Collection(nameof(MemoryMeasurement))]
public sealed class ResumeRepairMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int Committed = 300_000;
    private const int Uncommitted = 1_000;

    /// <summary>Largest growth of the live heap allowed during the repair: a small fraction of the results.</summary>
    private const long PeakHeapBound = 16L * 1024 * 1024;

    private readonly string _folder = Directory.CreateTempSubdirectory("quiver-repair-").FullName;

    [Fact]
    public void Repairing_300k_committed_results_keeps_the_live_heap_under_the_bound_and_each_result_once()
    {
        string outputPath = Path.Combine(_folder, "out.jsonl");
        using var database = StateDatabase.Open(Path.Combine(_folder, "out.jsonl.state"));
        var progress = new FetchProgress(database);
        long resultBytes = WriteRunInterruptedByAKill(progress, outputPath);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long baseline = HeapSampler.LiveHeap(GC.GetGCMemoryInfo(GCKind.Any));
        JsonLinesRepair.Outcome outcome;
        long peak;
        using (var sampler = new HeapSampler())
        {
            outcome = JsonLinesRepair.Repair(outputPath, progress);
            peak = sampler.Peak - baseline;
        }
        output.WriteLine($"repair of {resultBytes / 1048576.0:F1} MB of results: live heap grew at most {peak / 1048576.0:F1} MB ({outcome})");

        Assert.True(peak < PeakHeapBound, $"live heap grew {peak / 1048576.0:F1} MB, bound {PeakHeapBound / 1048576} MB");
        Assert.True(outcome.TornLineCut);
        Assert.Equal(Committed / 10, outcome.Added);
        Assert.Equal(Uncommitted + Committed / 50, outcome.Dropped);
        AssertEachCommittedLineOnce(outputPath);
    }

    /// <summary>
    /// Commits lines 1..N and writes the output a killed run could leave: every tenth committed line
    /// missing, every fiftieth written twice, some lines written but never committed, a torn last line.
    /// </summary>
    private static long WriteRunInterruptedByAKill(FetchProgress progress, string outputPath)
    {
        long bytes = 0;
        var batch = new List<(long Line, string Json)>(10_000);
        using var file = new StreamWriter(outputPath, append: false, new UTF8Encoding(false), 64 * 1024) { NewLine = "\n" };
        for (long line = 1; line <= Committed; line++)
        {
            string json = Json(line);
            bytes += json.Length + 1;
            batch.Add((line, json));
            if (batch.Count == batch.Capacity)
            {
                progress.Commit(batch, warcLength: null);
                batch.Clear();
            }
            if (line % 10 != 0) file.WriteLine(json);
            if (line % 50 == 1) file.WriteLine(json);
        }
        progress.Commit(batch, warcLength: null);
        for (long line = Committed + 1; line <= Committed + Uncommitted; line++) file.WriteLine(Json(line));
        file.Write(Json(Committed + Uncommitted + 1)[..40]);
        return bytes;
    }

    /// <summary>About 300 bytes, like a successful page result with timings and a title.</summary>
    private static string Json(long line) => JsonLinesResultWriter.ToJson(new FetchResult
    {
        Line = line,
        Url = $"https://www.example-site-{line % 997}.com/articles/2026/11/{line}/a-fairly-long-slug-for-the-page",
        FinalUrl = $"https://www.example-site-{line % 997}.com/articles/2026/11/{line}/a-fairly-long-slug-for-the-page/",
        HttpVersion = "1.1",
        Status = 200,
        ContentType = "text/html; charset=utf-8",
        Bytes = 10_000 + line,
        Attempts = 1,
        Timings = new FetchTimings { TotalMs = 12.5, TtfbMs = 10.25, ConnectMs = 0.5 },
    });

    private static void AssertEachCommittedLineOnce(string path)
    {
        var seen = new LineSet();
        long lines = 0;
        foreach (string text in File.ReadLines(path))
        {
            var result = JsonLinesResultWriter.FromJson(text);
            Assert.Equal(Json(result.Line), text);
            Assert.True(result.Line is >= 1 and <= Committed, $"line {result.Line} was never committed");
            Assert.True(seen.Add(result.Line), $"line {result.Line} appears twice");
            lines++;
        }
        Assert.Equal(Committed, lines);
        // The repaired file ends with a complete line: read its last byte, not the whole file again.
        using var file = File.OpenRead(path);
        file.Seek(-1, SeekOrigin.End);
        Assert.Equal('\n', file.ReadByte());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
