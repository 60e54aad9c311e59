using Quiver.Crawl;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Output;
using Quiver.Running;
using Quiver.State;
using Quiver.Strategies;
using Quiver.Tests.Crawl;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.State;

/// <summary>
/// A durable run serialises each result once and hands the same JSON to the output file and the state
/// file: after a run, the state holds each output line exactly, character for character, so a repair
/// on resume can restore a line without it differing from the lines it sits among.
/// </summary>
public sealed class StateMatchesOutputTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("quiver-state-").FullName;

    [Fact]
    public async Task Resumable_fetch_commits_exactly_the_lines_it_wrote()
    {
        var server = fixture.Server;
        // A title with non-ASCII text and characters JSON escapes, a 404 and a refused connection
        // (an error message): lines whose JSON is more than plain ASCII fields.
        string[] lines =
        [
            .. Enumerable.Range(1, 40).Select(i => server.HttpUrl($"/echo/{i}")),
            server.HttpUrl("/flaky/café \"quoted\" <b> & ünïcode ✓/0"), // titled "flaky NAME", the name decoded
            server.HttpUrl("/status/404"),
            $"http://127.0.0.1:{server.RefusedPort}/",
        ];
        string output = Path.Combine(_folder, "out.jsonl");
        using (var database = StateDatabase.Open(Path.Combine(_folder, "fetch.state")))
        await using (var file = new FileStream(output, FileMode.Create))
        await using (var writer = new JsonLinesResultWriter(file))
        {
            using var strategy = FetchStrategies.Create(new StrategyOptions { Kind = StrategyKind.Async }, new FetchOptions { ExtractTitle = true });
            await ResumableFetchRun.RunAsync(UrlListReader.FromLines(lines), strategy, writer, new FetchProgress(database), null, new RunStatistics());
        }

        string[] written = ReadLines(output);
        Assert.Equal(lines.Length, written.Length);
        Assert.Contains(written, l => l.Contains(@"""title"":""flaky café \""quoted\"" <b> & ünïcode ✓""", StringComparison.Ordinal));
        using (var database = StateDatabase.Open(Path.Combine(_folder, "fetch.state")))
            AssertStateHoldsTheOutputLines(new FetchProgress(database), written);
    }

    [Fact]
    public async Task Crawl_commits_exactly_the_lines_it_wrote()
    {
        var graph = SiteGraph.Generate(siteCount: 2, pagesPerSite: 15);
        await using var server = await SiteGraphServer.StartAsync(graph);
        using var harness = new CrawlHarness();
        await harness.RunAsync(server, new CrawlSettings { Seeds = [server.Url("site0.test", "/")], Scope = ScopeKind.Any });

        string[] written = ReadLines(harness.OutputPath);
        Assert.True(written.Length > 15, $"only {written.Length} pages crawled");
        using var database = StateDatabase.Open(Path.Combine(harness.Folder, "crawl.state"));
        AssertStateHoldsTheOutputLines(new CrawlState(database), written);
    }

    private static void AssertStateHoldsTheOutputLines(ICommittedResults state, string[] written)
    {
        var byKey = written.ToDictionary(l => JsonLinesResultWriter.FromJson(l).Line);
        var committed = state.ReadCommitted().ToList();
        Assert.Equal(byKey.Keys.Order(), committed.Select(c => c.Key));
        Assert.All(committed, c => Assert.Equal(byKey[c.Key], c.Json));
    }

    /// <summary>The file's lines, read as the UTF-8 it is written in; every line ends with a newline.</summary>
    private static string[] ReadLines(string path)
    {
        string text = File.ReadAllText(path, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true));
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text[..^1].Split('\n');
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
