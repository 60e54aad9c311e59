using System.Buffers;
using System.Text;
using System.Text.Json;
using Quiver.Fetching;

namespace Quiver.Output;

/// <summary>One JSON object per line, in the order results finish.</summary>
public sealed class JsonLinesResultWriter : IResultWriter
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    // The JSON goes to memory first: a Utf8JsonWriter on the stream itself flushes the stream on every
    // Flush, which made one write system call per result.
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly Utf8JsonWriter _json;

    public JsonLinesResultWriter(Stream stream, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = new BufferedStream(stream, 64 * 1024);
        _ownsStream = ownsStream;
        _json = new Utf8JsonWriter(_line, LineOptions);
    }

    /// <summary>
    /// Escaping belongs to the writer, not the serializer options: System.Text.Json takes its
    /// source-generated fast path only with options that set no encoder, so the results are
    /// serialised with <see cref="QuiverJsonContext.Default"/> onto a writer that escapes only what JSON requires.
    /// </summary>
    private static readonly JsonWriterOptions LineOptions = new()
    {
        Encoder = QuiverJsonContext.Lines.Options.Encoder,
        SkipValidation = true,
    };

    public ValueTask WriteAsync(FetchResult result, CancellationToken cancellationToken = default)
    {
        Serialise(result);
        EndLine();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Writes <paramref name="result"/> as <see cref="WriteAsync"/> does and returns the JSON it wrote
    /// (without the newline): a state file keeps the very same line, and the result is serialised once for both.
    /// </summary>
    internal string WriteAndGetJson(FetchResult result)
    {
        Serialise(result);
        string json = Encoding.UTF8.GetString(_line.WrittenSpan);
        EndLine();
        return json;
    }

    private void Serialise(FetchResult result)
    {
        JsonSerializer.Serialize(_json, result, QuiverJsonContext.Default.FetchResult);
        _json.Flush();
        _json.Reset();
    }

    /// <summary>Adds the newline to the serialised result and hands the line to the buffered file.</summary>
    private void EndLine()
    {
        _line.Write(NewLine);
        _stream.Write(_line.WrittenSpan);
        _line.ResetWrittenCount();
    }

    /// <summary>Serialises one result to its JSON line (without the newline).</summary>
    public static string ToJson(FetchResult result)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, LineOptions))
            JsonSerializer.Serialize(json, result, QuiverJsonContext.Default.FetchResult);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses one JSON line back into a result.</summary>
    public static FetchResult FromJson(string line) =>
        JsonSerializer.Deserialize(line, QuiverJsonContext.Lines.FetchResult) ?? throw new FormatException("null result line");

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync().ConfigureAwait(false);
        await _stream.FlushAsync().ConfigureAwait(false);
        if (_ownsStream) await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
