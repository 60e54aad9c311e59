using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Quiver.Output.Warc;

/// <summary>
/// Writes WARC/1.1 files (ISO 28500:2017): a <c>warcinfo</c> record first, then a request and a
/// response record per exchange, each record compressed as its own gzip member so that readers can
/// seek to any record. Safe to call from many fetches at once.
/// </summary>
/// <remarks>
/// Hand-written because no maintained .NET WARC library exists on the package feeds; the format is
/// a header block of named fields over a byte block, and this class writes only the record types
/// Quiver needs. The tests read its files back with webrecorder's warcio and verify every digest.
/// </remarks>
public sealed class WarcWriter : IAsyncDisposable
{
    private static readonly byte[] RecordEnd = "\r\n\r\n"u8.ToArray();
    private readonly FileStream _file;
    private readonly SemaphoreSlim _lock = new(1, 1);

    private WarcWriter(FileStream file) => _file = file;

    /// <summary>
    /// Starts a new WARC file at <paramref name="path"/> (replacing any file there) and writes its
    /// warcinfo record, which names the software and its settings.
    /// </summary>
    public static async Task<WarcWriter> CreateAsync(string path, IEnumerable<KeyValuePair<string, string>> info, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        var writer = new WarcWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true));
        var fields = new StringBuilder();
        foreach (var (name, value) in info) fields.Append(name).Append(": ").Append(value).Append("\r\n");
        byte[] block = Encoding.UTF8.GetBytes(fields.ToString());
        var headers = new List<KeyValuePair<string, string>>
        {
            new("WARC-Type", "warcinfo"),
            new("WARC-Date", FormatDate(DateTimeOffset.UtcNow)),
            new("WARC-Filename", Path.GetFileName(path)),
            new("WARC-Record-ID", NewRecordId()),
            new("Content-Type", "application/warc-fields"),
            new("WARC-Block-Digest", Digest(block)),
        };
        using (var record = Record(headers, block, default))
            await writer.AppendAsync([record], cancellationToken).ConfigureAwait(false);
        return writer;
    }

    /// <summary>
    /// Reopens a WARC file to continue it after an interrupted run: everything past
    /// <paramref name="committedLength"/> (records of fetches whose results were never committed, and
    /// possibly a torn last member) is cut away first.
    /// </summary>
    public static WarcWriter Continue(string path, long committedLength)
    {
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true);
        file.SetLength(Math.Min(file.Length, Math.Max(0, committedLength)));
        file.Seek(0, SeekOrigin.End);
        return new WarcWriter(file);
    }

    /// <summary>Appends one HTTP exchange as a request record and a response record that point at each other.</summary>
    /// <param name="targetUri">The URL fetched.</param>
    /// <param name="date">When the request was sent.</param>
    /// <param name="request">The full request block: request line, headers, blank line.</param>
    /// <param name="responseHead">The response's status line and headers, ending with the blank line.</param>
    /// <param name="payload">The response body as received (after content decoding).</param>
    /// <param name="cancellationToken">Stops the write.</param>
    public async ValueTask WriteExchangeAsync(Uri targetUri, DateTimeOffset date, byte[] request, byte[] responseHead, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targetUri);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseHead);
        string when = FormatDate(date);
        string responseId = NewRecordId();
        string requestId = NewRecordId();

        // The response block is the head followed by the payload; it is digested and compressed in
        // those two parts rather than copied into one array.
        using var blockHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        blockHash.AppendData(responseHead);
        blockHash.AppendData(payload.Span);

        var responseHeaders = new List<KeyValuePair<string, string>>
        {
            new("WARC-Type", "response"),
            new("WARC-Record-ID", responseId),
            new("WARC-Date", when),
            new("WARC-Target-URI", targetUri.AbsoluteUri),
            new("Content-Type", "application/http;msgtype=response"),
            new("WARC-Payload-Digest", Digest(payload.Span)),
            new("WARC-Block-Digest", DigestOf(blockHash.GetHashAndReset())),
        };
        var requestHeaders = new List<KeyValuePair<string, string>>
        {
            new("WARC-Type", "request"),
            new("WARC-Record-ID", requestId),
            new("WARC-Date", when),
            new("WARC-Target-URI", targetUri.AbsoluteUri),
            new("WARC-Concurrent-To", responseId),
            new("Content-Type", "application/http;msgtype=request"),
            new("WARC-Block-Digest", Digest(request)),
        };
        // Response first, as Heritrix and wget write them; the request names it in WARC-Concurrent-To.
        using var responseRecord = Record(responseHeaders, responseHead, payload.Span);
        using var requestRecord = Record(requestHeaders, request, default);
        await AppendAsync([responseRecord, requestRecord], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pushes what is written to the operating system and returns the file's length, the point a resume may cut back to.</summary>
    public async ValueTask<long> FlushAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            return _file.Length;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async ValueTask AppendAsync(MemoryStream[] members, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var member in members)
                await _file.WriteAsync(member.GetBuffer().AsMemory(0, (int)member.Length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// One record as its own gzip member: version line, named fields, Content-Length, blank line, the
    /// block (given in two parts), two CRLFs. Compressed here, outside the file's lock, so that
    /// concurrent fetches compress in parallel and only the append is serialised.
    /// </summary>
    private static MemoryStream Record(List<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> block, ReadOnlySpan<byte> blockRest)
    {
        var head = new StringBuilder("WARC/1.1\r\n");
        foreach (var (name, value) in headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append("Content-Length: ").Append((block.Length + blockRest.Length).ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");

        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(head.ToString()));
            gzip.Write(block);
            gzip.Write(blockRest);
            gzip.Write(RecordEnd);
        }
        return compressed;
    }

    private static string NewRecordId() => $"<urn:uuid:{Guid.NewGuid()}>";

    /// <summary>ISO 8601 in UTC with microseconds, as WARC/1.1 allows.</summary>
    internal static string FormatDate(DateTimeOffset date) => date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>"sha1:" and the base-32 SHA-1, the form WARC tools conventionally write and check.</summary>
    internal static string Digest(ReadOnlySpan<byte> data) => DigestOf(SHA1.HashData(data));

    private static string DigestOf(byte[] sha1) => "sha1:" + Base32(sha1);

    /// <summary>RFC 4648 base 32 (upper case, no padding needed for the 20 bytes of a SHA-1).</summary>
    internal static string Base32(ReadOnlySpan<byte> bytes)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (byte b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        while (text.Length % 8 != 0) text.Append('=');
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _file.FlushAsync().ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
        _lock.Dispose();
    }
}
