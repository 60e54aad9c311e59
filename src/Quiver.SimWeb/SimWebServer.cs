using System.Net.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Quiver.SimWeb;

/// <summary>
/// The simulated web, running: Kestrel on one loopback address, plain http on one port and https
/// (HTTP/1.1 and HTTP/2 by ALPN) on the other, a certificate per site name chosen by SNI.
/// </summary>
public sealed class SimWebServer : IAsyncDisposable
{
    /// <summary>The name on the certificate that sites with a wrong-name certificate present.</summary>
    public const string WrongCertificateName = "misconfigured.sim.invalid";

    private readonly WebApplication _app;

    private SimWebServer(WebApplication app, SimWorld world, CertificateAuthority authority)
    {
        _app = app;
        World = world;
        Authority = authority;
    }

    public SimWorld World { get; }

    public CertificateAuthority Authority { get; }

    /// <summary>Starts serving <paramref name="world"/>; returns once both ports accept connections.</summary>
    public static async Task<SimWebServer> StartAsync(SimWorld world, CertificateAuthority authority, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(authority);
        var options = world.Options;
        var connections = new SimConnections();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.Address, options.HttpPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(connections.Track);
            });
            kestrel.Listen(options.Address, options.HttpsPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.Use(connections.Track);
                listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    HandshakeTimeout = TimeSpan.FromSeconds(30),
                    OnConnection = async context =>
                    {
                        // The connection's setup, charged while the client waits for the handshake:
                        // one round trip for TCP, one for TLS (a wrong-name site costs them too).
                        string? name = context.ClientHelloInfo.ServerName;
                        var site = name is null ? null : world.Find(name);
                        if (site is not null)
                            await Task.Delay(options.Scale(site.RoundTrip * 2), context.CancellationToken).ConfigureAwait(false);
                        string certificateName = site is null ? name ?? WrongCertificateName
                            : site.Failure == SiteFailure.WrongCertificateName ? WrongCertificateName
                            : name!;
                        return new SslServerAuthenticationOptions
                        {
                            ServerCertificateContext = authority.ContextFor(certificateName),
                            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                            // No session tickets: a race visits each name once, so tickets would
                            // only cost both sides CPU on the machine's shared cores.
                            AllowTlsResume = false,
                        };
                    },
                });
            });
        });

        var app = builder.Build();
        var handler = new SiteRequestHandler(world, new SitePages(world), connections, app.Lifetime.ApplicationStopping);
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new SimWebServer(app, world, authority);
    }

    /// <summary>Stops listening; hanging requests are released.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
