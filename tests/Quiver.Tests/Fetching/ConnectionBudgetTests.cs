using System.Net;
using System.Net.Sockets;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Tests.Scale;

namespace Quiver.Tests.Fetching;

/// <summary>The cap on open connections, seen from a real server: how many TCP connections it holds.</summary>
public sealed class ConnectionBudgetTests
{
    private const int Hosts = 10;

    private static async Task<int> FetchRoundRobinAsync(TinyLoopbackServer server, FetchOptions options)
    {
        int port = server.BaseAddress.Port;
        // Ten host names on one server: ten connection pools, as a list over ten sites would have.
        options = options with { Resolve = [.. Enumerable.Range(1, Hosts).Select(h => new ResolveEntry($"h{h}.bench.test", port, "127.0.0.1"))] };
        using var fetcher = new Fetcher(options);
        int ok = 0;
        for (int round = 0; round < 3; round++)
        {
            for (int h = 1; h <= Hosts; h++)
            {
                var result = await fetcher.FetchAsync(UrlRequest.FromLine(h, $"http://h{h}.bench.test:{port}/item/{round}"));
                if (result.Status == 200) ok++;
            }
        }
        return ok;
    }

    [Fact]
    public async Task Past_the_cap_idle_connections_are_closed_and_every_fetch_still_succeeds()
    {
        await using var server = await TinyLoopbackServer.StartAsync();

        int ok = await FetchRoundRobinAsync(server, new FetchOptions { MaxOpenConnections = 2 });

        Assert.Equal(3 * Hosts, ok);
        // The connection over the cap is open for a moment before the oldest idle ones are reset, and
        // the server may see a reset a moment after the next connection: a few over the cap, never ten.
        Assert.InRange(server.PeakConnections, 1, 5);
    }

    [Fact]
    public async Task Under_the_default_cap_every_host_keeps_its_connection()
    {
        await using var server = await TinyLoopbackServer.StartAsync();

        int ok = await FetchRoundRobinAsync(server, new FetchOptions());

        Assert.Equal(3 * Hosts, ok);
        Assert.Equal(Hosts, server.PeakConnections);
    }

    [Fact]
    public async Task Under_half_the_cap_connections_are_plain_counted_network_streams_and_past_it_tracked_ones()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        async Task<Socket> ConnectAsync()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(listener.LocalEndPoint!);
            return socket;
        }
        var budget = new ConnectionBudget(4);

        var first = budget.Track(await ConnectAsync());
        var second = budget.Track(await ConnectAsync());
        var third = budget.Track(await ConnectAsync());

        // The handler keeps its NetworkStream fast paths for the first half; the rest can be evicted.
        Assert.IsType<CountedConnection>(first);
        Assert.IsType<CountedConnection>(second);
        Assert.IsType<TrackedConnection>(third);
        Assert.Equal(3, budget.Open);
        await first.DisposeAsync();
        await first.DisposeAsync();
        await third.DisposeAsync();
        Assert.Equal(1, budget.Open);
        await second.DisposeAsync();
        Assert.Equal(0, budget.Open);
    }
}
