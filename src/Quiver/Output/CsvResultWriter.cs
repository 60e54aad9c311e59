using System.Globalization;
using System.Text;
using System.Text.Json;
using Quiver.Fetching;

namespace Quiver.Output;

/// <summary>
/// RFC 4180 CSV with a header row and fixed columns: every field of the JSON-lines record, named in
/// snake_case, the timings flattened (<c>total_ms</c>…), lists (<c>redirects</c>, <c>links</c>) joined
/// with a space (a URL holds none), <c>data</c> as its JSON text. Columns added later go at the end, so
/// readers that go by position keep working. Written by hand: the format is fixed fields with one
/// quoting rule, which a CSV library would not make shorter or safer.
/// </summary>
public sealed class CsvResultWriter : IResultWriter
{
    /// <summary>The columns, in order.</summary>
    public static readonly string[] Columns =
    [
        "line", "url", "final_url", "redirects", "http_version", "status", "content_type", "bytes",
        "total_ms", "ttfb_ms", "dns_ms", "connect_ms", "tls_ms", "attempts", "error", "error_message", "title", "body_file",
        "redirect_to", "links", "depth", "referrer", "data",
    ];

    /// <summary>The column <c>--record-concurrency</c> adds after <see cref="Columns"/>.</summary>
    public const string ConcurrencyColumn = "concurrency";

    private readonly StreamWriter _writer;
    private readonly bool _withConcurrency;

    /// <summary>A header row now; <paramref name="withConcurrency"/> adds <see cref="ConcurrencyColumn"/> last, without it the columns are exactly <see cref="Columns"/>.</summary>
    public CsvResultWriter(Stream stream, bool ownsStream = false, bool withConcurrency = false)
    {
        _writer = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024, leaveOpen: !ownsStream) { NewLine = "\r\n" };
        _withConcurrency = withConcurrency;
        _writer.WriteLine(string.Join(',', withConcurrency ? [.. Columns, ConcurrencyColumn] : Columns));
    }

    public ValueTask WriteAsync(FetchResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        var t = result.Timings;
        string?[] fields =
        [
            Num(result.Line), result.Url, result.FinalUrl, List(result.Redirects),
            result.HttpVersion, Num(result.Status), result.ContentType, Num(result.Bytes),
            Num(t.TotalMs), Num(t.TtfbMs), Num(t.DnsMs), Num(t.ConnectMs), Num(t.TlsMs), Num(result.Attempts),
            result.Error?.ToWireName(), result.ErrorMessage, result.Title, result.BodyFile,
            result.RedirectTo, List(result.Links), Num(result.Depth), result.Referrer,
            result.Data is null ? null : JsonSerializer.Serialize(result.Data, QuiverJsonContext.Lines.DictionaryStringString),
        ];
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0) _writer.Write(',');
            WriteField(fields[i]);
        }
        if (_withConcurrency)
        {
            _writer.Write(',');
            WriteField(Num(result.Concurrency));
        }
        _writer.WriteLine();
        return ValueTask.CompletedTask;
    }

    private void WriteField(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            _writer.Write(value);
            return;
        }
        _writer.Write('"');
        _writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        _writer.Write('"');
    }

    private static string? List(List<string>? values) => values is null ? null : string.Join(' ', values);
    private static string? Num(long? value) => value?.ToString(CultureInfo.InvariantCulture);
    private static string? Num(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture);

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await _writer.FlushAsync().ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
    }
}
