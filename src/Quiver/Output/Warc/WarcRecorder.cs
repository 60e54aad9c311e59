using System.Globalization;
using System.Text;
using Quiver.Handlers;

namespace Quiver.Output.Warc;

/// <summary>
/// The response handler behind <c>--warc FILE</c>: records each final response and the request that
/// asked for it. Bodies are stored as the application received them, after content decoding, so
/// the stored headers drop Content-Encoding and Transfer-Encoding and state the stored length.
/// </summary>
public sealed class WarcRecorder(WarcWriter writer) : IResponseHandler
{
    private static readonly HashSet<string> DroppedResponseHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Encoding", "Transfer-Encoding", "Content-Length",
    };

    public async ValueTask HandleAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        var request = response.RequestMessage;
        // The fetcher keeps the body in a MemoryStream: record it from its buffer, without a copy.
        ReadOnlyMemory<byte> payload = context.Body is MemoryStream memory && memory.TryGetBuffer(out var kept)
            ? kept.AsMemory()
            : await ReadAllAsync(context.Body, cancellationToken).ConfigureAwait(false);

        await writer.WriteExchangeAsync(
            context.Url,
            DateTimeOffset.UtcNow,
            RequestBlock(context.Url, request),
            ResponseHead(response, payload.Length),
            payload,
            cancellationToken).ConfigureAwait(false);
    }

    private static byte[] RequestBlock(Uri url, HttpRequestMessage? request)
    {
        var text = new StringBuilder();
        text.Append(request?.Method.Method ?? "GET").Append(' ').Append(url.PathAndQuery).Append(" HTTP/")
            .Append(VersionOf(request?.Version)).Append("\r\n");
        text.Append("Host: ").Append(url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}").Append("\r\n");
        if (request is not null)
        {
            foreach (var (name, values) in request.Headers.NonValidated)
            {
                if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) continue;
                text.Append(name).Append(": ").Append(string.Join(", ", values)).Append("\r\n");
            }
        }
        text.Append("\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] ResponseHead(HttpResponseMessage response, int payloadLength)
    {
        var text = new StringBuilder();
        text.Append("HTTP/").Append(VersionOf(response.Version)).Append(' ')
            .Append(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(response.ReasonPhrase ?? "").Append("\r\n");
        foreach (var (name, values) in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
        {
            if (DroppedResponseHeaders.Contains(name)) continue;
            text.Append(name).Append(": ").Append(string.Join(", ", values)).Append("\r\n");
        }
        text.Append("Content-Length: ").Append(payloadLength.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string VersionOf(Version? version) => version is { Major: 2 } ? "2" : version is { Major: 1, Minor: 0 } ? "1.0" : "1.1";

    private static async Task<byte[]> ReadAllAsync(Stream body, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return copy.ToArray();
    }
}
