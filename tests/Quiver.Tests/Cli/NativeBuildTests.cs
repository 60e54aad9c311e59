using System.Text.Json;
using Quiver.Tests.Crawl;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Cli;

/// <summary>
/// The native executable that <c>dotnet publish</c> makes (the build the README's performance figures
/// use) does what the JIT build does: the same result records for every kind of URL and strategy, worker
/// processes of itself, a crawl with its SQLite state, and a race with its sim, TLS and chart.
/// </summary>
[Collection(ChildProcessCollection.Name)]
public sealed class NativeBuildTests(NativeBuild native, LoopbackServerFixture fixture)
    : IClassFixture<NativeBuild>, IClassFixture<LoopbackServerFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("quiver-native-test-").FullName;

    private LoopbackServer Server => fixture.Server;

    public static TheoryData<string> AllStrategies => Infrastructure.StrategyRunner.All;

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public async Task Fetch_WritesTheSameRecordsAsTheJitBuild(string strategy)
    {
        string list = Path.Combine(_directory, "list.txt");
        File.WriteAllLines(list,
        [
            Server.HttpUrl("/echo/1"),
            Server.HttpUrl("/status/404"),
            Server.HttpUrl("/redirect/2"),
            Server.HttpsUrl("/echo/2"), // the test certificate is not trusted: a tls record
            $"http://127.0.0.1:{Server.RefusedPort}/",
            Server.Garbage.AbsoluteUri,
            "http://exa mple.com/",
        ]);
        string[] arguments = ["fetch", list, "--strategy", strategy, "--quiet", "--timeout", "10"];

        var jit = await CliRunner.RunAsync(arguments);
        var built = await CliRunner.RunAsync(arguments, executable: native.Executable);

        Assert.True(built.ExitCode == 0, built.StandardError);
        Assert.Equal(jit.ExitCode, built.ExitCode);
        var records = Summaries(built);
        Assert.Equal(Summaries(jit), records);
        Assert.Equal(
            ["1 200 ", "2 404 ", "3 200 ", "4  tls", "5  connection-refused", "6  protocol", "7  invalid-url"],
            records);
    }

    [Fact]
    public async Task Crawl_KeepsItsStateInSqlite_AndAResumeOfAFinishedCrawlFetchesNothing()
    {
        var graph = SiteGraph.Generate(siteCount: 2, pagesPerSite: 12);
        await using var server = await SiteGraphServer.StartAsync(graph);
        string output = Path.Combine(_directory, "crawl.jsonl");
        string[] arguments =
        [
            "crawl", server.Url("site0.test", "/"), "--scope", "any", "-o", output,
            "--delay", "0", "-c", "4", "--quiet", .. server.ResolveArguments,
        ];

        var first = await CliRunner.RunAsync(arguments, executable: native.Executable);
        Assert.True(first.ExitCode == 0, first.StandardError);
        var (expected, _) = graph.ExpectedCrawl([server.Url("site0.test", "/")]);
        var fetched = CrawlHarness.ReadResults(output).Where(r => r.Status is not null).Select(r => r.Url).Order().ToList();
        Assert.Equal(expected.Order(), fetched);
        Assert.True(File.Exists(output + ".state"), "no crawl state next to the output");

        int served = server.Log.Count;
        var resumed = await CliRunner.RunAsync([.. arguments, "--resume"], executable: native.Executable);
        Assert.True(resumed.ExitCode == 0, resumed.StandardError);
        Assert.Equal(served, server.Log.Count);
        Assert.Equal(fetched, CrawlHarness.ReadResults(output).Where(r => r.Status is not null).Select(r => r.Url).Order());
    }

    [Fact]
    public async Task Race_RunsTheSimAndWorkerProcessesOfItself_AndDrawsTheChart()
    {
        string list = Path.Combine(_directory, "sites.txt");
        File.WriteAllLines(list, ["http://www.google.com/", "https://youtube.com/", "apple.com", "http://wordpress.org/"]);
        string outDir = Path.Combine(_directory, "race");

        var race = await CliRunner.RunAsync(
            ["race", "--list", list, "--strategies", "async,processes", "--repeat", "1", "--no-tune", "--time-scale", "0.05", "--out", outDir],
            timeout: TimeSpan.FromMinutes(3), executable: native.Executable);

        Assert.True(race.ExitCode == 0, race.StandardError);
        Assert.Matches(@"Function 'processes' executed in \d+\.\d{4}s", race.StandardOutput);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "race.json")));
        var rows = json.RootElement.GetProperty("lists").EnumerateArray().Single().GetProperty("strategies").EnumerateArray().ToList();
        // The race adds an auto-width row after the fixed ones whenever async runs.
        Assert.Equal(["async", "processes", "async auto"], rows.Select(r => r.GetProperty("strategy").GetString()));
        // Every URL answered by the sim, over HTTP and over TLS with the sim's own CA.
        Assert.All(rows, r => Assert.Equal(4, r.GetProperty("ok").GetInt32()));
        byte[] png = await File.ReadAllBytesAsync(Path.Combine(outDir, "race.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));
        Assert.True(png.Length > 10_000, $"race.png is {png.Length} bytes");
    }

    /// <summary>Each record as "line status error-kind", in line order.</summary>
    private static List<string> Summaries(CliRunner.Outcome outcome) =>
    [
        .. outcome.OutputLines
            .Select(line => JsonDocument.Parse(line).RootElement)
            .OrderBy(r => r.GetProperty("line").GetInt32())
            .Select(r => $"{r.GetProperty("line").GetInt32()} " +
                $"{(r.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number ? status.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : "")} " +
                $"{(r.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : "")}"),
    ];

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
