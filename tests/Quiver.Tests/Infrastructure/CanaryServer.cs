using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Quiver.Tests.Infrastructure;

/// <summary>
/// A raw socket server on a loopback address other than 127.0.0.1 (127.0.0.9 by default) that counts
/// every TCP connection it accepts and answers each with a small 200: the target a guard test denies,
/// whose count says whether anything reached it.
/// </summary>
public sealed class CanaryServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _accepted;

    public CanaryServer(string address = "127.0.0.9")
    {
        var ip = IPAddress.Parse(address);
        if (!IPAddress.IsLoopback(ip)) throw new ArgumentException("test servers bind loopback only", nameof(address));
        _listener = new TcpListener(ip, 0);
        _listener.Start();
        Address = ip;
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public IPAddress Address { get; }

    public int Port { get; }

    /// <summary>TCP connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public string Url(string path) => $"http://{Address}:{Port}{path}";

    private async Task AcceptAsync()
    {
        byte[] response = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\ncanary");
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            _ = AnswerAsync(client, response);
        }
    }

    private async Task AnswerAsync(Socket client, byte[] response)
    {
        using (client)
        {
            try
            {
                byte[] buffer = new byte[4096];
                // Enough of the request to answer it; the canary does not parse it.
                await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                await client.SendAsync(response, SocketFlags.None, _stop.Token);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away or the server is stopping.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
