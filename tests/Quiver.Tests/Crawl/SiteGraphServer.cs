using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Quiver.Fetching;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Crawl;

/// <summary>A request as the server saw it, stamped when it arrived.</summary>
internal sealed record ServedRequest(string Host, string Path, long Timestamp, DateTimeOffset At, string UserAgent);

/// <summary>
/// Serves a <see cref="SiteGraph"/> from one real Kestrel on 127.0.0.1 (sites told apart by the Host
/// header, reached through --resolve), logging every request with a server-side timestamp.
/// </summary>
internal sealed class SiteGraphServer : IAsyncDisposable
{
    private readonly KestrelHost _host;

    private SiteGraphServer(KestrelHost host, SiteGraph graph)
    {
        _host = host;
        Graph = graph;
        Port = host.Port;
    }

    public SiteGraph Graph { get; }
    public int Port { get; }
    public ConcurrentQueue<ServedRequest> Log { get; } = new();

    /// <summary>Per path: a handler that may answer instead of the graph (return true), given how many times the path was requested.</summary>
    public ConcurrentDictionary<string, Func<HttpContext, int, Task<bool>>> Overrides { get; } = new(StringComparer.Ordinal);

    /// <summary>Answers any request the graph has no site for (e.g. a flat URL list), when set.</summary>
    public Func<HttpContext, Task>? Fallback { get; set; }

    /// <summary>Added to every page response, so a run lasts long enough to be interrupted.</summary>
    public TimeSpan PageDelay { get; set; }

    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);

    public static async Task<SiteGraphServer> StartAsync(SiteGraph graph)
    {
        SiteGraphServer? server = null;
        // No request can arrive before the port is known, so the handler can find the server set.
        var host = await KestrelHost.StartAsync(app => app.Run(context => server!.HandleAsync(context)));
        graph.Port = host.Port;
        server = new SiteGraphServer(host, graph);
        return server;
    }

    /// <summary>--resolve entries pointing every site of the graph at this server.</summary>
    public IReadOnlyList<ResolveEntry> Resolve => [.. Graph.Sites.Keys.Select(h => new ResolveEntry(h, Port, "127.0.0.1"))];

    /// <summary>The same as command-line arguments.</summary>
    public IEnumerable<string> ResolveArguments => Graph.Sites.Keys.SelectMany(h => new[] { "--resolve", $"{h}:{Port}:127.0.0.1" });

    public string Url(string host, string path) => Graph.Url(host, path);

    /// <summary>Absolute URLs of page requests (robots.txt left out), one entry per request.</summary>
    public List<string> PageRequests() =>
        [.. Log.Where(r => r.Path != "/robots.txt").Select(r => $"http://{r.Host}:{Port}{r.Path}")];

    private async Task HandleAsync(HttpContext context)
    {
        string host = context.Request.Host.Host;
        string path = context.Request.Path.Value ?? "/";
        Log.Enqueue(new ServedRequest(host, path, Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow, context.Request.Headers.UserAgent.ToString()));
        int hit = _hits.AddOrUpdate($"{host}{path}", 1, static (_, n) => n + 1);

        if (Overrides.TryGetValue(path, out var handler) && await handler(context, hit))
            return;
        if (!Graph.Sites.TryGetValue(host, out var site))
        {
            if (Fallback is { } fallback)
            {
                await fallback(context);
                return;
            }
            context.Response.StatusCode = 404;
            return;
        }
        if (path == "/robots.txt")
        {
            if (site.Robots is null)
            {
                context.Response.StatusCode = 404;
                return;
            }
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(site.Robots);
            return;
        }
        if (!site.Pages.TryGetValue(path, out var page))
        {
            context.Response.StatusCode = 404;
            return;
        }
        if (PageDelay > TimeSpan.Zero) await Task.Delay(PageDelay);
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(BodyOf(page, host));
    }

    /// <summary>The HTML this server sends for <paramref name="page"/> of <paramref name="host"/>, its links' PORT filled in.</summary>
    public string BodyOf(TestPage page, string host) =>
        page.Html(Url(host, "")).Replace("PORT", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
