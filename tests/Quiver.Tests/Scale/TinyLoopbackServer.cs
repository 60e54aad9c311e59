using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Quiver.Tests.Scale;

/// <summary>Kestrel on 127.0.0.1 (port 0) answering every path with a two-byte body: the cheapest server a scale test can hammer.</summary>
internal sealed class TinyLoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly ConnectionCounter _connections;

    private TinyLoopbackServer(WebApplication app, Uri baseAddress, ConnectionCounter connections)
    {
        _app = app;
        BaseAddress = baseAddress;
        _connections = connections;
    }

    public Uri BaseAddress { get; }

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
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var connections = new ConnectionCounter();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(connections.Count)));
        var app = builder.Build();
        app.Run(static context =>
        {
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = 2;
            return context.Response.Body.WriteAsync("ok"u8.ToArray()).AsTask();
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TinyLoopbackServer(app, new Uri(address), connections);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
