using BenchmarkDotNet.Attributes;
using Quiver.Fetching;
using Quiver.Output;

namespace Quiver.Benchmarks;

/// <summary>Writing one typical result line, JSON lines and CSV, through the writers the run uses.</summary>
[MemoryDiagnoser]
public class ResultWritingBenchmarks
{
    private readonly FetchResult _result = new()
    {
        Line = 123_456,
        Url = "https://h00042.example.test/item/123456",
        FinalUrl = "https://h00042.example.test/item/123456",
        HttpVersion = "1.1",
        Status = 200,
        ContentType = "text/html; charset=utf-8",
        Bytes = 5120,
        Timings = new FetchTimings { TotalMs = 12.345, TtfbMs = 11.2, ConnectMs = 0.071 },
        Attempts = 1,
    };

    private IResultWriter _json = null!;
    private IResultWriter _csv = null!;

    [GlobalSetup]
    public void Setup()
    {
        _json = ResultWriters.Create(OutputFormat.JsonLines, Stream.Null);
        _csv = ResultWriters.Create(OutputFormat.Csv, Stream.Null);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _json.DisposeAsync();
        await _csv.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public ValueTask Write_json_line() => _json.WriteAsync(_result);

    [Benchmark]
    public ValueTask Write_csv_row() => _csv.WriteAsync(_result);

    [Benchmark]
    public string Serialise_to_string() => JsonLinesResultWriter.ToJson(_result);
}
