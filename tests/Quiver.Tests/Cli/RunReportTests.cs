using System.Text.RegularExpressions;
using Quiver.Tests.Crawl;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Cli;

/// <summary>
/// What the resumable fetch and the crawl print on stderr after a run, and their exit codes, by the
/// built CLI: the summary every fetching command ends with, and the crawl's state line.
/// </summary>
public sealed partial class RunReportTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("quiver-report-").FullName;

    private LoopbackServer Server => fixture.Server;

    [GeneratedRegex(@"^quiver: done: 3 results in \d+\.\d\ds with 'async', [\d,]+\.\d requests/s$")]
    private static partial Regex FetchDone();

    [GeneratedRegex(@"^quiver: done: 3 results in \d+\.\d\ds with 'crawl', [\d,]+\.\d requests/s$")]
    private static partial Regex CrawlDone();

    [GeneratedRegex(@"^quiver: stopped: 0 results in \d+\.\d\ds with 'crawl', 0\.0 requests/s$")]
    private static partial Regex CrawlStopped();

    [GeneratedRegex(@"^  latency: p50 \d+\.\d ms, p95 \d+\.\d ms, p99 \d+\.\d ms$")]
    private static partial Regex Latency();

    [Fact]
    public async Task Resumable_fetch_ends_with_the_summary_and_exit_zero()
    {
        string list = Path.Combine(_folder, "urls.txt");
        File.WriteAllLines(list, [Server.HttpUrl("/fast"), Server.HttpUrl("/echo/report"), Server.HttpUrl("/status/404")]);
        string output = Path.Combine(_folder, "out.jsonl");

        var outcome = await CliRunner.RunAsync(["fetch", list, "-o", output, "--state", Path.Combine(_folder, "fetch.state")]);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        var last = outcome.ErrorLines[^4..];
        Assert.Matches(FetchDone(), last[0]);
        Assert.Equal(["  status:  2xx 2, 4xx 1", "  errors:  none"], last[1..3]);
        Assert.Matches(Latency(), last[3]);
        Assert.Equal(3, File.ReadAllLines(output).Length);
    }

    [Fact]
    public async Task Crawl_ends_with_the_summary_and_where_its_state_is()
    {
        string output = Path.Combine(_folder, "crawl.jsonl");

        var outcome = await CliRunner.RunAsync(["crawl", Server.HttpUrl("/fast"), "-o", output, "--delay", "0", "--deny-private", "false"]);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        var last = outcome.ErrorLines[^5..];
        Assert.Matches(CrawlDone(), last[0]);
        Assert.Equal(["  status:  2xx 3", "  errors:  none"], last[1..3]);
        Assert.Matches(Latency(), last[3]);
        Assert.Equal($"  state:   3 URLs committed in {output}.state", last[4]);
    }

    [Fact]
    public async Task Crawl_stopped_by_ctrl_c_says_so_and_how_to_continue_and_exits_130()
    {
        string gate = $"report-{Guid.NewGuid():N}";
        string output = Path.Combine(_folder, "stopped.jsonl");
        using var run = CliProcess.Start(["crawl", Server.HttpUrl($"/gate/{gate}"), "-o", output, "--delay", "0", "--deny-private", "false"], _folder);

        // The seed hangs at the gate: once it is requested, the run is waiting on it with nothing finished.
        await Server.WaitForRequestAsync(r => r.PathAndQuery == $"/gate/{gate}", TimeSpan.FromSeconds(60));
        await run.InterruptAsync();

        Assert.Equal(130, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        var last = run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^4..];
        Assert.Matches(CrawlStopped(), last[0]);
        Assert.Equal(["  status:  -", "  errors:  none", $"  state:   0 URLs committed in {output}.state (continue with --resume)"], last[1..]);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
