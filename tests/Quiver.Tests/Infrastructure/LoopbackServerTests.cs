using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Quiver.Tests.Infrastructure;

/// <summary>The loopback server's own promises, which many tests lean on.</summary>
public sealed class LoopbackServerTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    private LoopbackServer Server => fixture.Server;

    [Fact]
    public async Task RefusedPort_RefusesConnections()
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var error = await Assert.ThrowsAsync<SocketException>(async () => await client.ConnectAsync(IPAddress.Loopback, Server.RefusedPort));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Fact]
    public void RefusedPort_IsHeldForTheServersLifetime_SoNoOtherSocketCanTakeIt()
    {
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var error = Assert.Throws<SocketException>(() => other.Bind(new IPEndPoint(IPAddress.Loopback, Server.RefusedPort)));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    [Fact]
    public async Task TruncatingServer_LogsItsRequests_SoATestCanWaitForOne()
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, Server.Truncating.Port);
        await client.SendAsync(Encoding.ASCII.GetBytes("GET /truncated?probe=wait HTTP/1.1\r\nHost: 127.0.0.1\r\nuser-agent: loopback-probe/1\r\n\r\n"));

        var request = await Server.WaitForRequestAsync(r => r.PathAndQuery == "/truncated?probe=wait", TimeSpan.FromSeconds(30));

        Assert.Equal("loopback-probe/1", request.UserAgent);
        Assert.Equal(Server.Truncating.Port, request.LocalPort);
    }
}
