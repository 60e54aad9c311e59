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
    public async Task EveryWaiter_WakesForEachRequest_NotJustOne()
    {
        // Tests share the server and wait at once. Waiters for another path come first, so a wake-up
        // that reached only one waiter would go to one of them, and the waiter for /a would never see /a.
        string id = Guid.NewGuid().ToString("N");
        var others = Enumerable.Range(0, 3)
            .Select(_ => Server.WaitForRequestAsync(r => r.PathAndQuery == $"/echo/{id}/b", TimeSpan.FromSeconds(60)))
            .ToList();
        var waiterForA = Server.WaitForRequestAsync(r => r.PathAndQuery == $"/echo/{id}/a", TimeSpan.FromSeconds(20));
        using var client = new HttpClient();

        (await client.GetAsync(Server.HttpUrl($"/echo/{id}/a"))).EnsureSuccessStatusCode();

        Assert.Equal($"/echo/{id}/a", (await waiterForA).PathAndQuery);
        Assert.All(others, waiter => Assert.False(waiter.IsCompleted));
        (await client.GetAsync(Server.HttpUrl($"/echo/{id}/b"))).EnsureSuccessStatusCode();
        Assert.All(await Task.WhenAll(others), request => Assert.Equal($"/echo/{id}/b", request.PathAndQuery));
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
