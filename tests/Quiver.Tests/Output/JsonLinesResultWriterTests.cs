using System.Text;
using Quiver.Fetching;
using Quiver.Output;

namespace Quiver.Tests.Output;

public sealed class JsonLinesResultWriterTests
{
    /// <summary>Records what reaches the underlying stream, write by write.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        public int Writes { get; private set; }
        public int Flushes { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            base.Write(buffer.ToArray(), 0, buffer.Length);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes++;
            base.Write(buffer, offset, count);
        }

        public override void Flush()
        {
            Flushes++;
            base.Flush();
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return base.FlushAsync(cancellationToken);
        }
    }

    [Fact]
    public async Task Results_are_buffered_until_flushed_not_written_through_one_by_one()
    {
        var sink = new RecordingStream();
        await using var writer = new JsonLinesResultWriter(sink);

        for (int i = 1; i <= 100; i++)
            await writer.WriteAsync(new FetchResult { Line = i, Url = $"http://127.0.0.1/item/{i}", Status = 200 });

        Assert.Equal(0, sink.Writes);
        Assert.Equal(0, sink.Flushes);

        await writer.FlushAsync();
        string[] lines = Encoding.UTF8.GetString(sink.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(100, lines.Length);
        Assert.Equal(42, JsonLinesResultWriter.FromJson(lines[41]).Line);
        Assert.InRange(sink.Writes, 1, 2);
    }

    [Fact]
    public void Every_error_kind_is_written_by_its_wire_name_and_read_back()
    {
        foreach (var kind in Enum.GetValues<FetchErrorKind>())
        {
            string line = JsonLinesResultWriter.ToJson(new FetchResult { Line = 1, Url = "http://127.0.0.1/" }.Fail(kind, "m"));
            Assert.Contains($"\"error\":\"{kind.ToWireName()}\"", line, StringComparison.Ordinal);
            Assert.Equal(kind, JsonLinesResultWriter.FromJson(line).Error);
        }
    }

    [Fact]
    public async Task A_written_line_is_the_compact_json_of_the_result_with_only_the_escaping_json_requires()
    {
        var result = new FetchResult
        {
            Line = 7,
            Url = "http://127.0.0.1/a?b=1&c=<d>+é",
            Status = 200,
            Title = "Café \"quoted\" \u0001",
            Redirects = ["http://127.0.0.1/x"],
            Data = new() { ["k"] = "v" },
            Timings = new FetchTimings { TotalMs = 1.5, TtfbMs = 0.25 },
        };
        var sink = new MemoryStream();
        await using (var writer = new JsonLinesResultWriter(sink))
            await writer.WriteAsync(result);

        string line = Encoding.UTF8.GetString(sink.ToArray());
        Assert.Equal(JsonLinesResultWriter.ToJson(result) + "\n", line);
        Assert.Equal(
            "{\"line\":7,\"url\":\"http://127.0.0.1/a?b=1&c=<d>+é\",\"redirects\":[\"http://127.0.0.1/x\"],\"status\":200,"
            + "\"timings\":{\"totalMs\":1.5,\"ttfbMs\":0.25},\"attempts\":0,\"title\":\"Café \\\"quoted\\\" \\u0001\",\"data\":{\"k\":\"v\"}}\n",
            line);
    }

    [Fact]
    public void Results_are_serialised_on_the_source_generated_fast_path()
    {
        Assert.NotNull(QuiverJsonContext.Default.FetchResult.SerializeHandler);
        Assert.Null(QuiverJsonContext.Default.Options.Encoder);
    }
}
