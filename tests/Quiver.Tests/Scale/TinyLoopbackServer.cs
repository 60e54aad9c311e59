using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Scale;

/// <summary>Kestrel on 127.0.0.1 (port 0) answering every path with a two-byte body: the cheapest server a scale test can hammer.</summary>
internal sealed class TinyLoopbackServer : IAsyncDisposable
{
    private readonly KestrelHost _host;

    private readonly ConnectionCounter _connections;

    private TinyLoopbackServer(KestrelHost host, ConnectionCounter connections)
    {
        _host = host;
        _connections = connections;
    }

    public Uri BaseAddress => _host.Address;

    /// <summary>TCP connections open right now.</summary>
    public int OpenConnections => _connections.Open;

    /// <summary>The most TCP connections that were open at the same time.</summary>
    public int PeakConnections => _connections.Peak;

    private sealed class ConnectionCounter
    {
        private int _open;
        private int _peak;

        public int Open => Volatile.Read(ref _open);
        public int Peak => Volatile.Read(ref _peak);

        public ConnectionDelegate Count(ConnectionDelegate next) => async connection =>
        {
            int now = Interlocked.Increment(ref _open);
            int seen;
            while (now > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
            }
            try
            {
                await next(connection);
            }
            finally
            {
                Interlocked.Decrement(ref _open);
            }
        };
    }

    public static async Task<TinyLoopbackServer> StartAsync()
    {
        var connections = new ConnectionCounter();
        var host = await KestrelHost.StartAsync(
            static app => app.Run(static context =>
            {
                context.Response.ContentType = "text/plain";
                context.Response.ContentLength = 2;
                return context.Response.Body.WriteAsync("ok"u8.ToArray()).AsTask();
            }),
            [new KestrelEndpoint(ConnectionMiddleware: connections.Count)]);
        return new TinyLoopbackServer(host, connections);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
