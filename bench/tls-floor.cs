#:property TreatWarningsAsErrors=false
#:property InvariantGlobalization=true
#:project ../src/Quiver/Quiver.csproj

// What TLS alone costs per idle connection in .NET, with no HTTP client above it: opens one SslStream
// (the same OpenSSL-backed stream SocketsHttpHandler uses) to each of the first COUNT hosts of a
// resolve file, sends one GET on each, keeps them all open and prints the process's RSS. With
// "release", each connection gets SSL_MODE_RELEASE_BUFFERS as quiver's fetcher sets it (Quiver's own
// TlsBufferRelease), so the figure is the floor under quiver's HTTPS memory. bench/scale.sh runs it
// with TLS_FLOOR=1.
// Usage: tls-floor COUNT RESOLVE-FILE HTTPS-PORT [release]
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Quiver.Fetching;

int count = int.Parse(args[0]);
string port = args[2];
bool release = args.Length > 3 && args[3] == "release";
var hosts = File.ReadLines(args[1]).Select(line => line.Split(':')).Where(parts => parts[1] == port).Take(count).ToList();
var held = new List<SslStream>(hosts.Count);
using var gate = new SemaphoreSlim(64); // handshakes in flight, as a client pool would open them
await Task.WhenAll(hosts.Select(async parts =>
{
    await gate.WaitAsync();
    try
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Parse(parts[2]), int.Parse(parts[1]));
        // The certificate is not checked: the chain check was measured not to change the peak (quiver -k).
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = parts[0] });
        if (release && !TlsBufferRelease.TryApply(tls)) throw new InvalidOperationException("SSL_MODE_RELEASE_BUFFERS could not be set");
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {parts[0]}\r\n\r\n"));
        _ = await tls.ReadAsync(new byte[4096]);
        lock (held) held.Add(tls);
    }
    finally
    {
        gate.Release();
    }
}));
GC.Collect();
GC.WaitForPendingFinalizers();
GC.Collect();
long rssKb = long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
Console.WriteLine($"{held.Count} {rssKb / 1024.0:F1} {GC.GetTotalMemory(forceFullCollection: false) / 1048576.0:F1}");
