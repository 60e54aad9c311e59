using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Faults;

/// <summary>
/// A server on 127.0.0.1 that misbehaves on purpose, the ways parts of the real web do: one raw-socket
/// HTTP/1.1 listener whose paths each name a fault (<see cref="Paths"/>), TLS listeners with an
/// expired, a self-signed and a wrong-name certificate and one that offers TLS 1.0 only, an HTTP/2
/// listener that resets its stream or sends GOAWAY in the middle of a body, and a port that refuses.
/// </summary>
/// <remarks>
/// Raw sockets, not Kestrel: Kestrel cannot send a malformed status line, two Content-Lengths, a NUL
/// in a header, a reset in the middle of its headers or a flood of 1xx responses, and it sends GOAWAY
/// only once the streams in flight are done (or for the client's own protocol errors). HTTP/2 is
/// framed here by hand for the same reason; its one response header is the HPACK static entry
/// <c>:status: 200</c>. Every normal answer says <c>Connection: close</c> and closes, so no scenario
/// but the stale-connection one ever meets a reused connection.
/// </remarks>
public sealed class FaultServer : IAsyncDisposable
{
    /// <summary>How long <c>/slow-headers</c> waits between header bytes: one byte a second.</summary>
    public static readonly TimeSpan HeaderByteInterval = TimeSpan.FromSeconds(1);

    private readonly List<TcpListener> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private Socket? _refused;
    private int _staleAnswered;
    private int _staleClosedOnUnread;

    private FaultServer()
    {
    }

    /// <summary>The raw HTTP/1.1 listener.</summary>
    public Uri Http { get; private set; } = null!;

    public Uri ExpiredTls { get; private set; } = null!;
    public Uri SelfSignedTls { get; private set; } = null!;
    public Uri WrongNameTls { get; private set; } = null!;
    public Uri Tls10Only { get; private set; } = null!;

    /// <summary>HTTP/2 over TLS (ALPN h2, with http/1.1 for clients that offer nothing else): part of a body, then GOAWAY.</summary>
    public Uri Http2GoAway { get; private set; } = null!;

    /// <summary>The same, but the stream is reset (RST_STREAM) instead.</summary>
    public Uri Http2StreamReset { get; private set; } = null!;

    /// <summary>A port bound and never listening: connections to it are refused.</summary>
    public int RefusedPort { get; private set; }

    /// <summary>Requests <c>/stale/…</c> answered (one per connection: a request the server closed on unread is not one).</summary>
    public int StaleAnswered => Volatile.Read(ref _staleAnswered);

    /// <summary>Connections <c>/stale/…</c> closed with the client's next request unread in them: each such request was lost.</summary>
    public int StaleClosedOnUnread => Volatile.Read(ref _staleClosedOnUnread);

    /// <summary>The misbehaviours of the raw HTTP/1.1 listener, by path.</summary>
    public static IReadOnlyList<string> Paths { get; } =
    [
        "/reset-headers", "/reset-body", "/close-silent", "/stale/N", "/hang", "/slow-headers", "/drip", "/huge-length",
        "/endless-chunked", "/bad-chunk", "/short-body", "/header-flood", "/bad-status", "/no-colon", "/two-lengths",
        "/nul-header", "/gzip-bomb", "/brotli-bomb", "/bad-gzip", "/bad-brotli", "/loop", "/to-unparsable",
        "/to-ftp", "/redirect-then-unparsable", "/1xx-flood", "/garbage", "/ok",
    ];

    public string HttpUrl(string path) => new Uri(Http, path).AbsoluteUri;

    public static FaultServer Start()
    {
        var server = new FaultServer();
        // Compressed before any client waits on them: a minute of CPU on a loaded machine must not eat a fetch's timeout.
        _ = GzipBomb.Value;
        _ = BrotliBomb.Value;
        server.Http = server.Listen("http", server.ServeHttpAsync);
        server.ExpiredTls = server.Listen("https", (socket, ct) => server.ServeTlsAsync(socket, TestCertificates.Expired, SslProtocols.None, ct));
        server.SelfSignedTls = server.Listen("https", (socket, ct) => server.ServeTlsAsync(socket, TestCertificates.SelfSigned, SslProtocols.None, ct));
        server.WrongNameTls = server.Listen("https", (socket, ct) => server.ServeTlsAsync(socket, TestCertificates.WrongName, SslProtocols.None, ct));
#pragma warning disable SYSLIB0039 // TLS 1.0 is the fault being served.
        server.Tls10Only = server.Listen("https", (socket, ct) => server.ServeTlsAsync(socket, TestCertificates.Localhost, SslProtocols.Tls, ct));
#pragma warning restore SYSLIB0039
        server.Http2GoAway = server.Listen("https", (socket, ct) => ServeHttp2Async(socket, resetStream: false, ct));
        server.Http2StreamReset = server.Listen("https", (socket, ct) => ServeHttp2Async(socket, resetStream: true, ct));
        // Bound, never listening (see LoopbackServer.RefusedPort): Linux answers a connect with a reset.
        server._refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Unspecified);
        server._refused.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.RefusedPort = ((IPEndPoint)server._refused.LocalEndPoint!).Port;
        return server;
    }

    private Uri Listen(string scheme, Func<Socket, CancellationToken, Task> serve)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(backlog: 512);
        _listeners.Add(listener);
        _ = Task.Run(async () =>
        {
            while (!_stopping.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await listener.AcceptSocketAsync(_stopping.Token);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    return;
                }
                var connection = Task.Run(async () =>
                {
                    try
                    {
                        await serve(socket, _stopping.Token);
                    }
                    catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or AuthenticationException)
                    {
                        // The client gave up, timed out or refused the handshake: each is what some scenario provokes.
                    }
                    finally
                    {
                        socket.Dispose();
                    }
                });
                lock (_connections) _connections.Add(connection);
            }
        });
        return new Uri($"{scheme}://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
    }

    private async Task ServeHttpAsync(Socket socket, CancellationToken cancellationToken)
    {
        var stream = new NetworkStream(socket, ownsSocket: false);
        if (await ReadRequestPathAsync(stream, cancellationToken) is not { } path) return;
        if (path.StartsWith("/stale/", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _staleAnswered);
            if (await AnswerThenCloseWithoutSayingSoAsync(path, socket, stream, cancellationToken)) Interlocked.Increment(ref _staleClosedOnUnread);
            return;
        }
        await MisbehaveAsync(path, socket, stream, cancellationToken);
    }

    /// <summary>
    /// The HTTP/1.0 habit: a keep-alive response (no <c>Connection: close</c>), then the connection is
    /// closed. It is closed once the client's next request has arrived (or after 200 ms when none does),
    /// so the client meets the closed connection every time rather than only when it loses a race: a
    /// close with an unread request in the buffer is what makes Linux answer with a reset. True when it
    /// closed on such a request.
    /// </summary>
    private static async Task<bool> AnswerThenCloseWithoutSayingSoAsync(string path, Socket socket, NetworkStream stream, CancellationToken cancellationToken)
    {
        int hops = int.Parse(path["/stale/".Length..], System.Globalization.CultureInfo.InvariantCulture);
        string response = hops > 0
            ? $"HTTP/1.1 302 Found\r\nLocation: /stale/{hops - 1}\r\nContent-Length: 0\r\n\r\n"
            : "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\ndone";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromMilliseconds(200));
        bool nextRequestWaiting = false;
        try
        {
            nextRequestWaiting = await socket.ReceiveAsync(new byte[1], SocketFlags.Peek, wait.Token) > 0;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // No next request: closing now is the plain close.
        }
        socket.Close();
        return nextRequestWaiting;
    }

    private async Task MisbehaveAsync(string path, Socket socket, NetworkStream stream, CancellationToken cancellationToken)
    {
        switch (path)
        {
            case "/ok":
                await SendAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", cancellationToken);
                break;
            case "/reset-headers":
                await SendAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: te", cancellationToken);
                await ResetAsync(socket, stream);
                break;
            case "/reset-body":
                await SendAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n", cancellationToken);
                await stream.WriteAsync(new byte[1000], cancellationToken);
                await ResetAsync(socket, stream);
                break;
            case "/close-silent":
                socket.Shutdown(SocketShutdown.Both);
                break;
            case "/hang":
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
            case "/slow-headers":
                foreach (byte b in "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray())
                {
                    await stream.WriteAsync(new[] { b }, cancellationToken);
                    await Task.Delay(HeaderByteInterval, cancellationToken);
                }
                break;
            case "/drip":
                await SendAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n", cancellationToken);
                for (int i = 0; i < 100_000; i++)
                {
                    await stream.WriteAsync("x"u8.ToArray(), cancellationToken);
                    await Task.Delay(100, cancellationToken);
                }
                break;
            case "/huge-length":
                await SendAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 10737418240\r\nConnection: close\r\n\r\n", cancellationToken);
                await WriteForeverAsync(stream, chunked: false, cancellationToken);
                break;
            case "/endless-chunked":
                await SendAsync(stream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n", cancellationToken);
                await WriteForeverAsync(stream, chunked: true, cancellationToken);
                break;
            case "/bad-chunk":
                await SendAsync(stream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", cancellationToken);
                break;
            case "/short-body":
                await SendAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\nonly this", cancellationToken);
                socket.Shutdown(SocketShutdown.Both);
                break;
            case "/header-flood":
                await SendAsync(stream, "HTTP/1.1 200 OK\r\n", cancellationToken);
                for (int i = 0; i < 10_000; i++)
                    await SendAsync(stream, $"X-Flood-{i}: {new string('a', 100)}\r\n", cancellationToken);
                await SendAsync(stream, "Content-Length: 0\r\n\r\n", cancellationToken);
                break;
            case "/bad-status":
                await SendAsync(stream, "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", cancellationToken);
                break;
            case "/no-colon":
                await SendAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nThis line has no colon\r\nConnection: close\r\n\r\nok", cancellationToken);
                break;
            case "/two-lengths":
                await SendAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 20\r\nConnection: close\r\n\r\nok and then some more", cancellationToken);
                break;
            case "/nul-header":
                await SendAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Nul: a\0b\r\nConnection: close\r\n\r\nok", cancellationToken);
                break;
            case "/gzip-bomb":
                await SendEncodedAsync(stream, "gzip", GzipBomb.Value, cancellationToken);
                break;
            case "/brotli-bomb":
                await SendEncodedAsync(stream, "br", BrotliBomb.Value, cancellationToken);
                break;
            case "/bad-gzip":
                await SendEncodedAsync(stream, "gzip", "this body says gzip and is plain text, long enough to be read as one"u8.ToArray(), cancellationToken);
                break;
            case "/bad-brotli":
                await SendEncodedAsync(stream, "br", [.. BrotliBomb.Value.AsSpan(0, 16), .. Enumerable.Repeat((byte)0xFF, 64)], cancellationToken);
                break;
            case "/loop":
                await SendAsync(stream, "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken);
                break;
            case "/to-unparsable":
                await SendAsync(stream, "HTTP/1.1 302 Found\r\nLocation: http://[::1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken);
                break;
            case "/to-ftp":
                await SendAsync(stream, "HTTP/1.1 301 Moved Permanently\r\nLocation: ftp://127.0.0.1/file\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken);
                break;
            case "/redirect-then-unparsable":
                await SendAsync(stream, "HTTP/1.1 302 Found\r\nLocation: /to-unparsable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken);
                break;
            case "/1xx-flood":
                for (int i = 0; i < 100_000; i++)
                    await SendAsync(stream, "HTTP/1.1 102 Processing\r\n\r\n", cancellationToken);
                break;
            case "/garbage":
                await SendAsync(stream, "SSH-2.0-OpenSSH_9.2 not http at all\r\n\r\n", cancellationToken);
                break;
            default:
                await SendAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken);
                break;
        }
    }

    private async Task ServeTlsAsync(Socket socket, X509Certificate2 certificate, SslProtocols protocols, CancellationToken cancellationToken)
    {
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            EnabledSslProtocols = protocols,
        }, cancellationToken);
        // Reached only if a client accepted the certificate: answer, so that the test sees the success it must not get.
        if (await ReadRequestPathAsync(tls, cancellationToken) is not null)
            await SendAsync(tls, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", cancellationToken);
    }

    private const byte FrameData = 0x0, FrameHeaders = 0x1, FrameRstStream = 0x3, FrameSettings = 0x4, FrameGoAway = 0x7;
    private const byte FlagEndHeaders = 0x4, FlagAck = 0x1;
    private const uint InternalError = 0x2;

    /// <summary>
    /// Answers the first HTTP/2 request 200 with part of its body, then sends GOAWAY (INTERNAL_ERROR) and
    /// closes, or resets the stream (RST_STREAM, INTERNAL_ERROR) when <paramref name="resetStream"/>. A
    /// client that negotiated HTTP/1.1 (the threads strategy has no HTTP/2) meets the same fault in
    /// HTTP/1.1: part of the body, then the connection ends.
    /// </summary>
    private static async Task ServeHttp2Async(Socket socket, bool resetStream, CancellationToken cancellationToken)
    {
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = TestCertificates.Localhost,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        }, cancellationToken);
        if (tls.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            if (await ReadRequestPathAsync(tls, cancellationToken) is null) return;
            await SendAsync(tls, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n", cancellationToken);
            await tls.WriteAsync(new byte[1000], cancellationToken);
            await tls.FlushAsync(cancellationToken);
            // A close, not a reset: a reset may discard the head before the client reads it.
            socket.Shutdown(SocketShutdown.Both);
            return;
        }

        await tls.ReadExactlyAsync(new byte[24], cancellationToken); // the client's connection preface
        await WriteFrameAsync(tls, FrameSettings, 0, 0, Array.Empty<byte>(), cancellationToken);
        while (true)
        {
            var (type, flags, streamId, _) = await ReadFrameAsync(tls, cancellationToken);
            if (type == FrameSettings && (flags & FlagAck) == 0) await WriteFrameAsync(tls, FrameSettings, FlagAck, 0, Array.Empty<byte>(), cancellationToken);
            if (type != FrameHeaders) continue;

            await WriteFrameAsync(tls, FrameHeaders, FlagEndHeaders, streamId, new byte[] { 0x88 }, cancellationToken); // :status 200, HPACK static index 8
            await WriteFrameAsync(tls, FrameData, 0, streamId, new byte[1000], cancellationToken);
            var payload = new byte[8];
            if (resetStream)
            {
                BinaryPrimitives.WriteUInt32BigEndian(payload, InternalError);
                await WriteFrameAsync(tls, FrameRstStream, 0, streamId, payload.AsMemory(0, 4), cancellationToken);
                // The connection stays up a moment: the fault is the stream's, not the connection's.
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return;
            }
            BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)streamId);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), InternalError);
            await WriteFrameAsync(tls, FrameGoAway, 0, 0, payload, cancellationToken);
            socket.Shutdown(SocketShutdown.Both);
            return;
        }
    }

    private static async Task WriteFrameAsync(Stream stream, byte type, byte flags, int streamId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var header = new byte[9];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), streamId);
        await stream.WriteAsync(header, cancellationToken);
        await stream.WriteAsync(payload, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    private static async Task<(byte Type, byte Flags, int StreamId, byte[] Payload)> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[9];
        await stream.ReadExactlyAsync(header, cancellationToken);
        int length = (header[0] << 16) | (header[1] << 8) | header[2];
        var payload = new byte[length];
        await stream.ReadExactlyAsync(payload, cancellationToken);
        return (header[3], header[4], BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF, payload);
    }

    /// <summary>Reads one request head; its path, or null when the client closed first.</summary>
    private static async Task<string?> ReadRequestPathAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        // Byte by byte: a request is small, and nothing past its head may be consumed.
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0) return null;
            head.Add(one[0]);
        }
        string requestLine = Encoding.ASCII.GetString([.. head]).Split("\r\n")[0];
        return requestLine.Split(' ') is [_, var path, ..] ? path : null;
    }

    private static async Task SendAsync(Stream stream, string text, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.Latin1.GetBytes(text), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    private static async Task SendEncodedAsync(Stream stream, string coding, byte[] body, CancellationToken cancellationToken)
    {
        await SendAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: {coding}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n", cancellationToken);
        await stream.WriteAsync(body, cancellationToken);
    }

    private static async Task WriteForeverAsync(Stream stream, bool chunked, CancellationToken cancellationToken)
    {
        var block = new byte[64 * 1024];
        byte[] chunkHead = Encoding.ASCII.GetBytes($"{block.Length:X}\r\n");
        while (true)
        {
            if (chunked) await stream.WriteAsync(chunkHead, cancellationToken);
            await stream.WriteAsync(block, cancellationToken);
            if (chunked) await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
        }
    }

    /// <summary>Closes with a reset (SO_LINGER 0) once what was written has left.</summary>
    private static async Task ResetAsync(Socket socket, NetworkStream stream)
    {
        await stream.FlushAsync();
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    /// <summary>64 MB of zeros in about 64 KB of gzip: a thousandfold.</summary>
    private static readonly Lazy<byte[]> GzipBomb = new(() => Compress(64L << 20, body => new GZipStream(body, CompressionLevel.SmallestSize)));

    /// <summary>64 MB of zeros in brotli (a few hundred bytes).</summary>
    private static readonly Lazy<byte[]> BrotliBomb = new(() => Compress(64L << 20, body => new BrotliStream(body, CompressionLevel.Fastest)));

    private static byte[] Compress(long zeros, Func<Stream, Stream> encoder)
    {
        using var output = new MemoryStream();
        using (var encoding = encoder(output))
        {
            var block = new byte[1 << 20];
            for (long written = 0; written < zeros; written += block.Length) encoding.Write(block);
        }
        return output.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var listener in _listeners) listener.Stop();
        _refused?.Dispose();
        Task[] connections;
        lock (_connections) connections = [.. _connections];
        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(10));
        _stopping.Dispose();
    }
}
