using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Quiver.Fetching;

/// <summary>
/// Caps the TCP connections open at once across all hosts. SocketsHttpHandler keeps an idle
/// connection per host for its idle timeout and has no global limit, so a list over more hosts than
/// the cap would hold one socket (and its buffers: about 11 KB for HTTP, 50 KB for HTTPS) per host
/// until descriptors or memory run out. Past the cap, the least recently used idle connections are
/// closed, an eighth of the cap at a time so the scan is paid rarely.
/// </summary>
/// <remarks>
/// Hand-written because SocketsHttpHandler exposes no pool-wide limit (Go's MaxIdleConns and curl's
/// connection cache size have no .NET counterpart). Evicted connections are reset (SO_LINGER 0)
/// rather than closed gracefully, so they leave no TIME_WAIT entry behind and a long run over many
/// hosts cannot exhaust local ports. The handler notices a closed idle connection and opens a new one.
/// The connections opened while under half the cap are counted but never closed early, so the other
/// half of the cap is what eviction works with.
/// </remarks>
internal sealed class ConnectionBudget(int maxOpen)
{
    private readonly ConcurrentDictionary<TrackedConnection, byte> _open = new(ReferenceEqualityComparer.Instance);
    private int _count;
    private int _evicting;
    private long _lastFruitlessScan = long.MinValue / 2;

    public int MaxOpen { get; } = maxOpen;

    /// <summary>Connections open now.</summary>
    public int Open => Volatile.Read(ref _count);

    /// <summary>
    /// The stream for a freshly connected socket. While fewer than half the cap are open it is a plain
    /// counted <see cref="NetworkStream"/>: tracking every read and write cost about 8% of a run's CPU
    /// in bench/scale.sh (an extra async layer per read, and the handler's NetworkStream fast paths
    /// lost), and a run that never nears the cap needs none of it. Past half the cap, connections are
    /// tracked so that the least recently used idle ones can be closed once the cap is passed.
    /// </summary>
    public Stream Track(Socket socket)
    {
        int open = Interlocked.Increment(ref _count);
        if (open <= MaxOpen / 2) return new CountedConnection(this, socket);
        var connection = new TrackedConnection(this, socket);
        _open.TryAdd(connection, 0);
        if (open > MaxOpen) EvictLeastRecentlyUsed();
        return connection;
    }

    internal void OnClosed(TrackedConnection connection)
    {
        if (_open.TryRemove(connection, out _)) Interlocked.Decrement(ref _count);
    }

    internal void OnClosed(CountedConnection connection) => Interlocked.Decrement(ref _count);

    private void EvictLeastRecentlyUsed()
    {
        // When nothing was idle (HTTP/2 connections always have a read pending, so they never look
        // idle), scanning again on every new connection would cost O(cap) each: wait a second first.
        if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastFruitlessScan)) < TimeSpan.FromSeconds(1)) return;
        if (Interlocked.Exchange(ref _evicting, 1) == 1) return;
        try
        {
            int excess = Volatile.Read(ref _count) - MaxOpen * 7 / 8;
            if (excess <= 0) return;
            var idle = _open.Keys.Where(c => c.IsIdle).ToArray();
            if (idle.Length == 0) Interlocked.Exchange(ref _lastFruitlessScan, Stopwatch.GetTimestamp());
            Array.Sort(idle, static (a, b) => a.LastUsed.CompareTo(b.LastUsed));
            foreach (var connection in idle.AsSpan(0, Math.Min(excess, idle.Length)))
            {
                connection.Reset();
            }
        }
        finally
        {
            Volatile.Write(ref _evicting, 0);
        }
    }
}

/// <summary>A connection opened while the budget is far from its cap: counted, never closed by the budget.</summary>
internal sealed class CountedConnection(ConnectionBudget budget, Socket socket) : NetworkStream(socket, ownsSocket: true)
{
    private int _closed;
    private long _lastSend;

    // Writes only, and passed straight through: they tell a send whether this connection was reused
    // (ConnectionReuse). Reads stay NetworkStream's own, with its fast paths.
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ConnectionReuse.OnWrite(ref _lastSend);
        base.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ConnectionReuse.OnWrite(ref _lastSend);
        base.Write(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ConnectionReuse.OnWrite(ref _lastSend);
        return base.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ConnectionReuse.OnWrite(ref _lastSend);
        return base.WriteAsync(buffer, offset, count, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _closed, 1) == 0) budget.OnClosed(this);
        base.Dispose(disposing);
    }
}

/// <summary>
/// The connection's stream as the handler sees it: passes everything to the socket and records when
/// it was last used and whether a response is being read (a zero-byte read is the pool's idle watch,
/// not a response).
/// </summary>
internal sealed class TrackedConnection : Stream
{
    private readonly ConnectionBudget _budget;
    private readonly Socket _socket;
    private readonly NetworkStream _inner;
    private long _lastWrite;
    private long _lastSend;
    private long _lastReadEnd;
    private int _responseReads;
    private int _closed;

    public TrackedConnection(ConnectionBudget budget, Socket socket)
    {
        _budget = budget;
        _socket = socket;
        _inner = new NetworkStream(socket, ownsSocket: true);
        // Born busy: the request that opened it is about to be sent, so the budget must not close it first.
        _lastWrite = Stopwatch.GetTimestamp();
        _lastReadEnd = _lastWrite - 1;
    }

    public long LastUsed => Math.Max(Interlocked.Read(ref _lastWrite), Interlocked.Read(ref _lastReadEnd));

    /// <summary>No response being read and none awaited: only then may the budget close it.</summary>
    public bool IsIdle => Volatile.Read(ref _responseReads) == 0 && Interlocked.Read(ref _lastReadEnd) >= Interlocked.Read(ref _lastWrite);

    /// <summary>Closes with a reset: no TIME_WAIT on our side for a connection nobody is using.</summary>
    public void Reset()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closing; disposing below is all that is left.
        }
        Dispose();
    }

    // Pooled: the pool's read-ahead before each request is nearly always pending, so without pooling
    // every request would allocate this state machine (the handler awaits each read once).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        bool response = !buffer.IsEmpty;
        if (response) Interlocked.Increment(ref _responseReads);
        try
        {
            return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Exchange(ref _lastReadEnd, Stopwatch.GetTimestamp());
            if (response) Interlocked.Decrement(ref _responseReads);
        }
    }

    public override int Read(Span<byte> buffer)
    {
        bool response = !buffer.IsEmpty;
        if (response) Interlocked.Increment(ref _responseReads);
        try
        {
            return _inner.Read(buffer);
        }
        finally
        {
            Interlocked.Exchange(ref _lastReadEnd, Stopwatch.GetTimestamp());
            if (response) Interlocked.Decrement(ref _responseReads);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Interlocked.Exchange(ref _lastWrite, Stopwatch.GetTimestamp());
        ConnectionReuse.OnWrite(ref _lastSend);
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Interlocked.Exchange(ref _lastWrite, Stopwatch.GetTimestamp());
        ConnectionReuse.OnWrite(ref _lastSend);
        _inner.Write(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush() => _inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _budget.OnClosed(this);
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
