using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Fetching;

/// <summary>Idle TLS connections let OpenSSL free their record buffers, and keep working afterwards.</summary>
public sealed class TlsBufferReleaseTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    private LoopbackServer Server => fixture.Server;

    [Fact]
    public async Task The_mode_is_set_on_a_handshaken_stream_and_requests_still_flow_over_it()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Server.Https.Host, Server.Https.Port);
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost");

        Assert.True(TlsBufferRelease.TryApply(tls));

        // Two requests on the one connection: the released buffers are allocated again as needed.
        var reader = new StreamReader(tls, Encoding.ASCII);
        for (int i = 0; i < 2; i++)
        {
            await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET /fast HTTP/1.1\r\nHost: localhost\r\n\r\n"));
            Assert.Equal("HTTP/1.1 200 OK", await reader.ReadLineAsync());
            int length = 0;
            while (await reader.ReadLineAsync() is { Length: > 0 } header)
            {
                if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(header[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
            var body = new char[length];
            await reader.ReadBlockAsync(body);
        }
    }

    [Fact]
    public void A_plain_stream_is_left_alone()
    {
        Assert.False(TlsBufferRelease.TryApply(new MemoryStream()));
    }

    [Fact]
    public async Task Fetches_reuse_a_released_connection()
    {
        using var fetcher = new Fetcher(new FetchOptions { CaCertificateFile = TestCertificates.AuthorityFile });
        for (int i = 1; i <= 3; i++)
        {
            var result = await fetcher.FetchAsync(UrlRequest.FromLine(i, Server.HttpsUrl("/fast")));
            Assert.Equal(200, result.Status);
            // Only the first fetch opened (and shook hands on) the connection.
            Assert.Equal(i == 1, result.Timings.TlsMs is not null);
        }
    }
}
