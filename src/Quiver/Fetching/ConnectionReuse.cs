namespace Quiver.Fetching;

/// <summary>
/// Tells one send whether its request went out on a connection that had already carried another
/// request: what decides whether a request the connection lost may be sent again (see
/// <see cref="Fetcher"/>). The connection's stream stamps each write with the send it belongs to;
/// the send is found through an <see cref="AsyncLocal{T}"/>, since SocketsHttpHandler writes a
/// request from that request's own flow but tells no one which connection it chose.
/// </summary>
/// <remarks>
/// Hand-written because SocketsHttpHandler keeps this to itself. It retries a request on its own only
/// when the reused connection reads as ended (EOF) before any response byte. A server that closes each
/// connection after its response without <c>Connection: close</c> often has the next request in its
/// receive buffer when it closes, and Linux then answers with a reset, which the handler reports as a
/// failure (NoRetry): the reset that cut redirect chains short.
/// A TLS handshake is written from the flow of the request that opened the connection; when the pool
/// hands that connection to another waiting request, that request counts it as reused. The only cost
/// of that is one more send, on a connection that then failed before its first response.
/// </remarks>
internal sealed class ConnectionReuse
{
    private static readonly AsyncLocal<ConnectionReuse?> InFlow = new();
    private static long s_lastSend;

    private long _send;

    /// <summary>True once a write of the current send went out on a connection another send had written on.</summary>
    public bool Reused { get; private set; }

    /// <summary>Makes <paramref name="reuse"/> the one the connections of this flow report to; scoped to the calling async method.</summary>
    public static void Attach(ConnectionReuse reuse) => InFlow.Value = reuse;

    /// <summary>Starts a new send: the next write tells whether its connection was fresh.</summary>
    public void BeginSend()
    {
        _send = Interlocked.Increment(ref s_lastSend);
        Reused = false;
    }

    /// <summary>
    /// Called by a connection's stream on each write; <paramref name="connectionSend"/> is the
    /// connection's own record of the send that last wrote on it. HTTP/1.1 writes one request at a
    /// time on a connection, so plain fields do.
    /// </summary>
    public static void OnWrite(ref long connectionSend)
    {
        if (InFlow.Value is not { } current || current._send == connectionSend) return;
        if (connectionSend != 0) current.Reused = true;
        connectionSend = current._send;
    }
}
