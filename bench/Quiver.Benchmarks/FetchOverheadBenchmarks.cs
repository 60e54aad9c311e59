using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Tests.Infrastructure;

namespace Quiver.Benchmarks;

/// <summary>
/// What the Fetcher adds per URL over a bare HttpClient GET of the same loopback Kestrel URL on a
/// kept-alive connection: result record, deadline, timings, body loop. The difference is Quiver's overhead.
/// </summary>
[MemoryDiagnoser]
public class FetchOverheadBenchmarks
{
    private KestrelHost _server = null!;
    private Uri _url = null!;
    private UrlRequest _request;
    private Fetcher _fetcher = null!;
    private HttpClient _bare = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _server = await KestrelHost.StartAsync(static app => app.Run(static context =>
        {
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = 2;
            return context.Response.Body.WriteAsync("ok"u8.ToArray()).AsTask();
        }));
        _url = new Uri(_server.Address, "/item/1");
        _request = UrlRequest.FromLine(1, _url.AbsoluteUri);
        _fetcher = new Fetcher(new FetchOptions());
        _bare = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false });
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _fetcher.Dispose();
        _bare.Dispose();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> Bare_HttpClient_get()
    {
        using var response = await _bare.GetAsync(_url, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsByteArrayAsync();
        return body.Length;
    }

    [Benchmark]
    public async Task<long?> Fetcher_fetch() => (await _fetcher.FetchAsync(_request)).Bytes;
}
