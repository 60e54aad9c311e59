#:property TreatWarningsAsErrors=false
#:property TieredPGO=false
#:property InvariantGlobalization=true

// The reference point for bench/scale.sh: the least a .NET client can do per URL. One HttpClient,
// CONCURRENCY loops taking the next line of the list, reading each body and counting 200s; no
// parsing beyond the Uri, no result records, no output. Quiver's distance to this is its overhead.
// Usage: bare-httpclient URLS RESOLVE CONCURRENCY [CA.pem]
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

var urls = File.ReadLines(args[0]).GetEnumerator();
var resolve = new Dictionary<(string, int), IPAddress>();
foreach (var line in File.ReadLines(args[1]))
{
    var parts = line.Split(':');
    resolve[(parts[0], int.Parse(parts[1]))] = IPAddress.Parse(parts[2]);
}
int concurrency = int.Parse(args[2]);
var handler = new SocketsHttpHandler
{
    UseProxy = false,
    UseCookies = false,
    AllowAutoRedirect = false,
    PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    ConnectCallback = async (context, ct) =>
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(resolve[(context.DnsEndPoint.Host, context.DnsEndPoint.Port)], context.DnsEndPoint.Port, ct);
        return new NetworkStream(socket, ownsSocket: true);
    },
};
if (args.Length > 3)
{
    var ca = X509Certificate2.CreateFromPem(File.ReadAllText(args[3]));
    handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
    {
        if (errors == SslPolicyErrors.None) return true;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return errors == SslPolicyErrors.RemoteCertificateChainErrors && chain.Build((X509Certificate2)certificate!);
    };
}
using var client = new HttpClient(handler);
var gate = new object();
long ok = 0;
var loops = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
{
    var buffer = new byte[16 * 1024];
    while (true)
    {
        string? url;
        lock (gate) url = urls.MoveNext() ? urls.Current : null;
        if (url is null) return;
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        using var body = await response.Content.ReadAsStreamAsync();
        while (await body.ReadAsync(buffer) > 0) { }
        if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok);
    }
})).ToArray();
await Task.WhenAll(loops);
Console.WriteLine(ok);
