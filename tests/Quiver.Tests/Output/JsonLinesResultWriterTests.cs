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
}
