using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Quiver.Tests.Infrastructure;

/// <summary>
/// A minimal real Kestrel on 127.0.0.1 with no logging, each endpoint on a port the OS picks
/// (port 0), so servers started at once never race for a port. Every loopback test server (and
/// the fetch overhead benchmark, which links this file) starts its Kestrel here.
/// </summary>
internal sealed class KestrelHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelHost(WebApplication app, IReadOnlyList<Uri> addresses)
    {
        _app = app;
        Addresses = addresses;
    }

    /// <summary>The base URL of each endpoint (e.g. <c>https://127.0.0.1:40123/</c>), in the order the endpoints were given.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>The base URL of the first endpoint.</summary>
    public Uri Address => Addresses[0];

    /// <summary>The port of the first endpoint.</summary>
    public int Port => Address.Port;

    /// <summary>
    /// Starts Kestrel with <paramref name="configure"/> adding the routes or the request delegate
    /// (e.g. <c>app => app.Run(handler)</c>); one plain HTTP endpoint when no endpoints are given.
    /// Returns once every endpoint accepts connections.
    /// </summary>
    public static async Task<KestrelHost> StartAsync(Action<WebApplication> configure, IReadOnlyList<KestrelEndpoint>? endpoints = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configure);
        endpoints ??= [KestrelEndpoint.Http];
        var listeners = new ListenOptions[endpoints.Count];

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            for (int i = 0; i < endpoints.Count; i++)
            {
                var endpoint = endpoints[i];
                int index = i;
                kestrel.Listen(IPAddress.Loopback, 0, listen =>
                {
                    // Before TLS, so a connection middleware sees every TCP connection.
                    if (endpoint.ConnectionMiddleware is { } middleware) listen.Use(middleware);
                    if (endpoint.Certificate is { } certificate) listen.UseHttps(certificate);
                    listeners[index] = listen;
                });
            }
        });
        var app = builder.Build();
        configure(app);
        await app.StartAsync(cancellationToken);

        // Kestrel writes the port it bound back into each endpoint's listen options.
        var addresses = endpoints.Select((endpoint, i) => new Uri($"{(endpoint.Certificate is null ? "http" : "https")}://127.0.0.1:{listeners[i].IPEndPoint!.Port}/")).ToList();
        return new KestrelHost(app, addresses);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One endpoint of a <see cref="KestrelHost"/>: plain HTTP, or HTTPS with <paramref name="Certificate"/>.</summary>
/// <param name="Certificate">The server certificate (with its private key); null for plain HTTP.</param>
/// <param name="ConnectionMiddleware">Runs for every TCP connection the endpoint accepts (e.g. to count them).</param>
internal sealed record KestrelEndpoint(X509Certificate2? Certificate = null, Func<ConnectionDelegate, ConnectionDelegate>? ConnectionMiddleware = null)
{
    public static KestrelEndpoint Http { get; } = new();

    public static KestrelEndpoint Https(X509Certificate2 certificate) => new(certificate);
}
