using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Quiver.SimWeb;

/// <summary>
/// The open connections, so a request can charge its connection's setup once and can drop the whole
/// connection (a reset that every HTTP version reports as a broken connection, not a refused stream).
/// </summary>
internal sealed class SimConnections
{
    private readonly ConcurrentDictionary<string, SimConnection> _open = new(StringComparer.Ordinal);

    /// <summary>Kestrel connection middleware: tracks the connection for its whole life.</summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Track => next => async context =>
    {
        _open[context.ConnectionId] = new SimConnection(context);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            _open.TryRemove(context.ConnectionId, out _);
        }
    };

    public SimConnection? Find(string connectionId) => _open.GetValueOrDefault(connectionId);
}

/// <summary>One open client connection.</summary>
internal sealed class SimConnection(ConnectionContext context)
{
    private long _readyAt;

    /// <summary>
    /// When the connection is usable: the first request fixes it at now + <paramref name="setup"/>;
    /// every later request (HTTP/2 streams included) waits for the same moment.
    /// </summary>
    public long ReadyAt(long now, long setup)
    {
        long proposed = now + setup;
        long existing = Interlocked.CompareExchange(ref _readyAt, proposed, 0);
        return existing == 0 ? proposed : existing;
    }

    /// <summary>Drops the connection mid-response.</summary>
    public void Abort() => context.Abort(new ConnectionAbortedException("simulated reset mid-body"));
}
