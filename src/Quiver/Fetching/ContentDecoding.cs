using System.IO.Compression;
using System.Net.Http.Headers;

namespace Quiver.Fetching;

/// <summary>
/// Decodes gzip, deflate and br bodies, as SocketsHttpHandler's AutomaticDecompression did. Done by hand
/// because the handler's version parses Accept-Encoding and Content-Encoding into header objects and
/// adds an async layer on every request: about 600 bytes and a header parse per URL (bench/scale.sh),
/// where a raw header and one lookup do.
/// </summary>
internal static class ContentDecoding
{
    /// <summary>The encodings offered on every request (the same list the handler sent).</summary>
    public const string AcceptEncoding = "gzip, deflate, br";

    /// <summary>
    /// The coding applied last to the body (the one to undo), when it is one Quiver decodes; null for an
    /// identity body or one in a coding it does not know, which is then read as it came.
    /// </summary>
    public static string? CodingOf(HttpContentHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues("Content-Encoding", out var values)) return null;
        string? last = null;
        foreach (string value in values)
        {
            int comma = value.LastIndexOf(',');
            string token = (comma < 0 ? value : value[(comma + 1)..]).Trim();
            if (token.Length > 0) last = token;
        }
        return last?.ToLowerInvariant() switch
        {
            "gzip" => "gzip",
            "deflate" => "deflate",
            "br" => "br",
            _ => null,
        };
    }

    /// <summary>
    /// Wraps <paramref name="body"/> in the decoder for <paramref name="coding"/>. For deflate,
    /// <paramref name="head"/> holds the body's first bytes, already read, and decides between the zlib
    /// format (RFC 9110's deflate) and the raw deflate some servers send, as .NET's own handler does.
    /// </summary>
    public static Stream Decoder(string coding, Stream body, ReadOnlySpan<byte> head) => coding switch
    {
        "gzip" => new GZipStream(body, CompressionMode.Decompress),
        "br" => new BrotliStream(body, CompressionMode.Decompress),
        _ when IsZLibHeader(head) => new ZLibStream(body, CompressionMode.Decompress),
        _ => new DeflateStream(body, CompressionMode.Decompress),
    };

    /// <summary>A zlib stream starts with CMF (method 8 = deflate, window at most 32 KB) and FLG, their sum a multiple of 31 (RFC 1950).</summary>
    private static bool IsZLibHeader(ReadOnlySpan<byte> head) =>
        head.Length >= 2 && (head[0] & 0x0F) == 8 && head[0] >> 4 <= 7 && ((head[0] << 8) | head[1]) % 31 == 0;
}

/// <summary>Thrown while reading a body whose Content-Encoding does not decode: it says gzip and is not, a broken brotli stream.</summary>
public sealed class ContentDecodingException : IOException
{
    public ContentDecodingException() { }
    public ContentDecodingException(string message) : base(message) { }
    public ContentDecodingException(string message, Exception inner) : base(message, inner) { }
}
