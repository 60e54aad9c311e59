using System.Text;
using BenchmarkDotNet.Attributes;
using Quiver.Input;

namespace Quiver.Benchmarks;

/// <summary>Turning input lines into requests: one line, and a whole 10,000-line list read lazily.</summary>
[MemoryDiagnoser]
public class InputParsingBenchmarks
{
    private const int ListLines = 10_000;
    private byte[] _list = [];

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        for (int i = 0; i < ListLines; i++)
            text.Append(i % 2 == 0 ? $"https://h{i % 1000:D5}.example.test/item/{i}?q=1\n" : $"h{i % 1000:D5}.example.test/item/{i}\n");
        _list = Encoding.UTF8.GetBytes(text.ToString());
    }

    [Benchmark]
    public UrlRequest Parse_full_url() => UrlRequest.FromLine(1, "https://www.example.test/some/path/page.html?query=1&b=2");

    [Benchmark]
    public UrlRequest Parse_bare_domain() => UrlRequest.FromLine(1, "www.example.test");

    [Benchmark(OperationsPerInvoke = ListLines)]
    public async Task<long> Read_list()
    {
        long fetchable = 0;
        using var stream = new MemoryStream(_list, writable: false);
        await foreach (var request in UrlListReader.ReadAsync(stream))
        {
            if (request.Uri is not null) fetchable++;
        }
        return fetchable;
    }
}
