using Quiver.Crawl;
using Quiver.Fetching;
using Quiver.Output;
using Quiver.Resilience;
using Quiver.Running;
using Quiver.State;

namespace Quiver.Tests.Crawl;

/// <summary>Runs the library's <see cref="Crawler"/> in-process against a <see cref="SiteGraphServer"/>, into a temporary folder.</summary>
internal sealed class CrawlHarness : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("quiver-crawl-").FullName;

    public string OutputPath => Path.Combine(Folder, "out.jsonl");

    public static PolitenessOptions Fast { get; } = new()
    {
        Concurrency = 8,
        PerHostConcurrency = 2,
        PerHostDelay = TimeSpan.Zero,
        ThrottleBackoff = TimeSpan.FromMilliseconds(50),
    };

    public static RetryOptions QuickRetries { get; } = new() { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(100) };

    public async Task<List<FetchResult>> RunAsync(
        SiteGraphServer server, CrawlSettings settings, PolitenessOptions? politeness = null, RetryOptions? retry = null,
        string? userAgent = null, CancellationToken cancellationToken = default)
    {
        using var database = StateDatabase.Open(Path.Combine(Folder, "crawl.state"));
        var fetch = new FetchOptions { Resolve = server.Resolve, Timeout = TimeSpan.FromSeconds(10), UserAgent = userAgent ?? FetchOptions.DefaultUserAgent };
        await using (var file = new FileStream(OutputPath, FileMode.Create))
        await using (var writer = new JsonLinesResultWriter(file))
        {
            using var crawler = new Crawler(settings, politeness ?? Fast, retry ?? QuickRetries, fetch, new CrawlState(database), writer, null, new RunStatistics());
            await crawler.RunAsync(cancellationToken);
        }
        return ReadResults(OutputPath);
    }

    public static List<FetchResult> ReadResults(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(JsonLinesResultWriter.FromJson)];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the temp folder is cleaned by the OS.
        }
    }
}
