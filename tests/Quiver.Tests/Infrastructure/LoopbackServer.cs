using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Quiver.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on 127.0.0.1 with three endpoints: plain HTTP, HTTPS with a certificate
/// the test CA vouches for, and HTTPS with a certificate for the wrong name. Its routes cover every
/// outcome a fetch can have; it logs each request with a server-side timestamp.
/// </summary>
/// <remarks>
/// Routes: <c>/fast</c> (small HTML page with a title and links), <c>/slow?ms=N</c>,
/// <c>/redirect/N</c> (N hops, then /fast), <c>/loop</c> (redirects to itself), <c>/to?url=U</c> (redirects to U), <c>/status/CODE</c>,
/// <c>/reset</c> (aborts the connection mid-body with a reset), <c>/hang</c> (never answers),
/// <c>/bytes/N</c> (N bytes of body), <c>/gate/NAME</c> (waits until the test opens the gate),
/// <c>/flaky/NAME/N</c> (503 for the first N requests of NAME, then 200), and
/// anything else under <c>/echo/</c> (200 with the path in the title).
/// </remarks>
public sealed class LoopbackServer : IAsyncDisposable
{
    private KestrelHost? _host;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private readonly ConcurrentDictionary<string, int> _flaky = new();
    private readonly ConcurrentQueue<LoggedRequest> _log = new();
    // Completed and replaced at each logged request. A broadcast, not a semaphore: tests share the
    // server and wait at once, and a semaphore's single release would wake only one of them.
    private TaskCompletionSource _nextRequest = NewSignal();

    private LoopbackServer()
    {
    }

    public Uri Http { get; private set; } = null!;
    public Uri Https { get; private set; } = null!;
    public Uri HttpsWrongName { get; private set; } = null!;

    /// <summary>
    /// A raw socket server. At <c>/truncated</c> it sends headers promising 100,000 bytes, sends
    /// 1,000, then closes: a connection that ends mid-body, every time (Kestrel's abort sends a
    /// reset that can race the headers to the client). At <c>/garbage</c> it answers with bytes
    /// that are not HTTP.
    /// </summary>
    public Uri Truncating { get; private set; } = null!;

    public Uri Garbage => new(Truncating, "/garbage");

    private TcpListener? _truncating;

    /// <summary>
    /// A 127.0.0.1 port on which nothing listens (connections are refused). The server keeps a socket
    /// bound to it, never listening, for its whole lifetime: a port found free and let go could be
    /// taken by another socket (or an outgoing connection) before a test connects to it.
    /// </summary>
    public int RefusedPort { get; private set; }

    private Socket? _refused;

    public IReadOnlyCollection<LoggedRequest> Requests => _log;

    public static async Task<LoopbackServer> StartAsync()
    {
        var server = new LoopbackServer();
        server._host = await KestrelHost.StartAsync(server.MapRoutes,
            [KestrelEndpoint.Http, KestrelEndpoint.Https(TestCertificates.Localhost), KestrelEndpoint.Https(TestCertificates.WrongName)]);
        server.Http = server._host.Addresses[0];
        server.Https = server._host.Addresses[1];
        server.HttpsWrongName = server._host.Addresses[2];
        server.HoldRefusedPort();
        server.StartTruncatingServer();
        return server;
    }

    public string HttpUrl(string path) => new Uri(Http, path).AbsoluteUri;
    public string HttpsUrl(string path) => new Uri(Https, path).AbsoluteUri;

    /// <summary>Lets every request waiting at <c>/gate/<paramref name="name"/></c> through.</summary>
    public void OpenGate(string name) => Gate(name).TrySetResult();

    /// <summary>Waits until a request matching <paramref name="predicate"/> has arrived.</summary>
    public async Task<LoggedRequest> WaitForRequestAsync(Func<LoggedRequest, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            // The signal is taken before the log is read, so a request logged after the read completes it.
            var next = Volatile.Read(ref _nextRequest).Task;
            var match = _log.FirstOrDefault(predicate);
            if (match is not null) return match;
            await next.WaitAsync(cts.Token);
        }
    }

    /// <summary>Waits until <paramref name="count"/> requests matching <paramref name="match"/> have arrived.</summary>
    public async Task WaitForRequestsAsync(Func<LoggedRequest, bool> match, int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var next = Volatile.Read(ref _nextRequest).Task;
            if (_log.Count(match) >= count) return;
            await next.WaitAsync(cts.Token);
        }
    }

    /// <summary>Logs a request (Kestrel's or the raw server's) and wakes whoever waits for one.</summary>
    private void Log(string pathAndQuery, string userAgent, int localPort)
    {
        _log.Enqueue(new LoggedRequest(pathAndQuery, userAgent, Stopwatch.GetTimestamp(), localPort));
        Interlocked.Exchange(ref _nextRequest, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TaskCompletionSource Gate(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private void MapRoutes(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Log(context.Request.Path + context.Request.QueryString, context.Request.Headers.UserAgent.ToString(), context.Connection.LocalPort);
            await next(context);
        });

        app.MapGet("/fast", () => Results.Content(Page("fast", "/echo/a", "/echo/b"), "text/html; charset=utf-8"));
        app.MapGet("/slow", async (int ms, CancellationToken ct) =>
        {
            await Task.Delay(ms, ct);
            return Results.Content(Page("slow"), "text/html");
        });
        app.MapGet("/redirect/{hops:int}", (int hops) => Results.Redirect(hops <= 1 ? "/fast" : $"/redirect/{hops - 1}"));
        app.MapGet("/loop", () => Results.Redirect("/loop"));
        app.MapGet("/to", (string url) => Results.Redirect(url));
        app.MapGet("/status/{code:int}", (int code) => Results.Content(Page($"status {code}"), "text/html", statusCode: code));
        app.MapGet("/reset", async (HttpContext context) =>
        {
            context.Response.ContentLength = 100_000;
            await context.Response.Body.WriteAsync(new byte[1000]);
            await context.Response.Body.FlushAsync();
            context.Abort();
        });
        app.MapGet("/hang", async (CancellationToken ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return Results.Ok();
        });
        app.MapGet("/bytes/{count:long}", async (long count, HttpContext context) =>
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = count;
            var chunk = new byte[64 * 1024];
            for (long sent = 0; sent < count; sent += chunk.Length)
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, count - sent)), context.RequestAborted);
        });
        app.MapGet("/gate/{name}", async (string name, CancellationToken ct) =>
        {
            await Gate(name).Task.WaitAsync(ct);
            return Results.Content(Page($"gate {name}"), "text/html");
        });
        // 503 for the first FAILURES requests of NAME, then the page.
        app.MapGet("/flaky/{name}/{failures:int}", (string name, int failures) =>
            _flaky.AddOrUpdate(name, 1, (_, seen) => seen + 1) <= failures
                ? Results.Content(Page("unavailable"), "text/html", statusCode: 503)
                : Results.Content(Page($"flaky {name}"), "text/html; charset=utf-8"));
        app.MapFallback((HttpContext context) => Results.Content(Page(context.Request.Path), "text/html"));
    }

    private static string Page(string title, params string[] links)
    {
        var html = new StringBuilder($"<!doctype html><html><head><title>{WebUtility.HtmlEncode(title)}</title></head><body>");
        foreach (string link in links) html.Append($"<a href=\"{link}\">{link}</a>");
        return html.Append("</body></html>").ToString();
    }

    private void StartTruncatingServer()
    {
        _truncating = new TcpListener(IPAddress.Loopback, 0);
        _truncating.Start();
        Truncating = new Uri($"http://127.0.0.1:{((IPEndPoint)_truncating.LocalEndpoint).Port}/truncated");
        _ = Task.Run(async () =>
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = await _truncating.AcceptSocketAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var buffer = new byte[8192];
                        var request = new StringBuilder();
                        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            int read = await client.ReceiveAsync(buffer);
                            if (read == 0) return;
                            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                        }
                        string[] head = request.ToString().Split("\r\n");
                        string path = head[0].Split(' ')[1];
                        string userAgent = head.Skip(1).FirstOrDefault(h => h.StartsWith("User-Agent:", StringComparison.OrdinalIgnoreCase))?["User-Agent:".Length..].Trim() ?? "";
                        Log(path, userAgent, ((IPEndPoint)client.LocalEndPoint!).Port);
                        if (path == "/garbage")
                        {
                            await client.SendAsync(Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH_9.2 not http at all\r\n\r\n"));
                        }
                        else
                        {
                            await client.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"));
                            await client.SendAsync(new byte[1000]);
                        }
                        client.Shutdown(SocketShutdown.Both);
                    }
                });
            }
        });
    }

    private void HoldRefusedPort()
    {
        // Bound, not listening: Linux answers a connect to it with a reset (connection refused).
        // ProtocolType.Unspecified (the kernel's default for a stream socket: TCP) because .NET sets
        // SO_REUSEADDR before binding a ProtocolType.Tcp socket, and two such sockets that are not
        // listening may share a port on Linux; without it no other socket can bind this port.
        _refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Unspecified);
        _refused.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        RefusedPort = ((IPEndPoint)_refused.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gate in _gates.Values) gate.TrySetResult();
        _truncating?.Stop();
        _refused?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
    }
}

/// <summary>One request as the server saw it, with its arrival time (Stopwatch ticks).</summary>
public sealed record LoggedRequest(string PathAndQuery, string UserAgent, long ArrivedAt, int LocalPort);
