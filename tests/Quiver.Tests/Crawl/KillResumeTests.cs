using System.Globalization;
using Microsoft.AspNetCore.Http;
using Quiver.Output;
using Quiver.State;

namespace Quiver.Tests.Crawl;

/// <summary>
/// Exact resume after SIGKILL, proven on the real CLI: a run is killed at several points chosen by
/// watching its progress, resumed each time, and must end with every URL exactly once in its output,
/// nothing missing, and nothing fetched again except what was not yet committed at a kill.
/// </summary>
[Collection(ChildProcessCollection.Name)]
public sealed class KillResumeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Crawl_killed_early_mid_and_late_resumes_to_the_same_pages_as_an_uninterrupted_crawl()
    {
        // The uninterrupted crawl, by the same CLI, on its own server.
        var baselineGraph = SiteGraph.Generate(siteCount: 4, pagesPerSite: 40);
        HashSet<string> baselineUrls, baselineFetched;
        using (var folder = new CrawlHarness())
        await using (var server = await SiteGraphServer.StartAsync(baselineGraph))
        {
            server.PageDelay = TimeSpan.FromMilliseconds(25);
            using var run = CliProcess.Start(CrawlArguments(server, folder.Folder), folder.Folder);
            Assert.Equal(0, await run.WaitAsync(Limit));
            var results = CrawlHarness.ReadResults(System.IO.Path.Combine(folder.Folder, "out.jsonl"));
            baselineUrls = [.. results.Select(r => HostPath(r.Url))];
            baselineFetched = [.. results.Where(r => r.Status is not null).Select(r => HostPath(r.Url))];
            Assert.Equal(baselineUrls.Count, results.Count);
            Assert.Equal(baselineGraph.ExpectedCrawl([server.Url("site0.test", "/")]).Fetched.Select(HostPath).Order(), baselineFetched.Order());
        }

        var graph = SiteGraph.Generate(siteCount: 4, pagesPerSite: 40);
        using var harness = new CrawlHarness();
        await using var killed = await SiteGraphServer.StartAsync(graph);
        killed.PageDelay = TimeSpan.FromMilliseconds(25);
        string output = System.IO.Path.Combine(harness.Folder, "out.jsonl");
        string state = output + ".state";
        var committedAtKill = new List<(int LogPosition, HashSet<string> Committed)>();

        foreach (double fraction in new[] { 0.1, 0.5, 0.85 })
        {
            var arguments = CrawlArguments(killed, harness.Folder).ToList();
            if (committedAtKill.Count > 0) arguments.Add("--resume");
            using var run = CliProcess.Start(arguments, harness.Folder);
            int target = (int)(baselineUrls.Count * fraction);
            Assert.True(await run.WaitUntilAsync(() => CliProcess.CountLines(output) >= target, Limit) && !run.HasExited,
                $"the crawl ended before {fraction:P0} could be reached: {run.StandardError}");
            await run.KillAsync();
            using var database = StateDatabase.Open(state);
            committedAtKill.Add((killed.Log.Count, [.. new CrawlState(database).CommittedResults().Values.Select(j => HostPath(JsonLinesResultWriter.FromJson(j).Url))]));
        }
        using (var last = CliProcess.Start([.. CrawlArguments(killed, harness.Folder), "--resume"], harness.Folder))
            Assert.Equal(0, await last.WaitAsync(Limit));

        var final = CrawlHarness.ReadResults(output);
        Assert.Equal(final.Count, final.Select(r => r.Url).Distinct().Count());
        Assert.Equal(baselineUrls.Order(), final.Select(r => HostPath(r.Url)).Order());
        Assert.Equal(baselineFetched.Order(), final.Where(r => r.Status is not null).Select(r => HostPath(r.Url)).Order());
        AssertRepeatsOnlyUncommitted(killed.Log.ToList(), committedAtKill, r => r.Path == "/robots.txt" ? null : $"{r.Host}{r.Path}");
        Assert.Equal(baselineFetched.Order(), killed.Log.Where(r => r.Path != "/robots.txt").Select(r => $"{r.Host}{r.Path}").Distinct().Order());
    }

    [Fact]
    public async Task Crawl_stopped_by_ctrl_c_commits_what_it_wrote_and_resumes_to_the_full_crawl()
    {
        var graph = SiteGraph.Generate(siteCount: 3, pagesPerSite: 30);
        await using var server = await SiteGraphServer.StartAsync(graph);
        server.PageDelay = TimeSpan.FromMilliseconds(25);
        using var harness = new CrawlHarness();
        string output = System.IO.Path.Combine(harness.Folder, "out.jsonl");
        var (expected, disallowed) = graph.ExpectedCrawl([server.Url("site0.test", "/")]);

        using (var run = CliProcess.Start(CrawlArguments(server, harness.Folder), harness.Folder))
        {
            Assert.True(await run.WaitUntilAsync(() => CliProcess.CountLines(output) >= expected.Count / 3, Limit) && !run.HasExited, run.StandardError);
            await run.InterruptAsync();
            Assert.Equal(130, await run.WaitAsync(Limit));
        }
        // A graceful stop leaves output and state in step: nothing to repair.
        var written = CrawlHarness.ReadResults(output);
        using (var database = StateDatabase.Open(output + ".state"))
            Assert.Equal(written.Select(r => r.Line).Order(), new CrawlState(database).CommittedResults().Keys.Order());
        Assert.True(written.Count < expected.Count + disallowed.Count);

        using (var resume = CliProcess.Start([.. CrawlArguments(server, harness.Folder), "--resume"], harness.Folder))
            Assert.Equal(0, await resume.WaitAsync(Limit));
        var final = CrawlHarness.ReadResults(output);
        Assert.Equal(expected.Order(), final.Where(r => r.Status is not null).Select(r => r.Url).Order());
        Assert.Equal(final.Count, final.Select(r => r.Url).Distinct().Count());
        Assert.Equal(expected.Order(), server.PageRequests().Distinct().Order());

        // Resuming a finished crawl fetches nothing and leaves the output as it is.
        int requests = server.Log.Count;
        string before = File.ReadAllText(output);
        using (var again = CliProcess.Start([.. CrawlArguments(server, harness.Folder), "--resume"], harness.Folder))
            Assert.Equal(0, await again.WaitAsync(Limit));
        Assert.Equal(requests, server.Log.Count);
        Assert.Equal(before, File.ReadAllText(output));

        // A new crawl never overwrites the state of an earlier one.
        using var fresh = CliProcess.Start(CrawlArguments(server, harness.Folder), harness.Folder);
        Assert.Equal(2, await fresh.WaitAsync(Limit));
        Assert.Contains("--resume", fresh.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_of_20000_urls_killed_three_times_resumes_to_each_line_exactly_once()
    {
        const int Lines = 20_000;
        var graph = new SiteGraph();
        await using var server = await SiteGraphServer.StartAsync(graph);
        server.Fallback = context => context.Response.WriteAsync("ok");
        using var harness = new CrawlHarness();
        string list = System.IO.Path.Combine(harness.Folder, "urls.txt");
        File.WriteAllLines(list, Enumerable.Range(1, Lines).Select(i => $"http://list.test:{server.Port}/item/{i}"));
        string output = System.IO.Path.Combine(harness.Folder, "out.jsonl");
        string state = System.IO.Path.Combine(harness.Folder, "fetch.state");
        string[] arguments = ["fetch", list, "-o", output, "--state", state, "--strategy", "async", "-c", "32", "--quiet",
            "--resolve", $"list.test:{server.Port}:127.0.0.1"];
        var committedAtKill = new List<(int LogPosition, HashSet<string> Committed)>();

        foreach (double fraction in new[] { 0.15, 0.55, 0.9 })
        {
            using var run = CliProcess.Start(committedAtKill.Count == 0 ? arguments : [.. arguments, "--resume"], harness.Folder);
            Assert.True(await run.WaitUntilAsync(() => CliProcess.CountLines(output) >= Lines * fraction, Limit) && !run.HasExited,
                $"the fetch ended before {fraction:P0}: {run.StandardError}");
            await run.KillAsync();
            using var database = StateDatabase.Open(state);
            committedAtKill.Add((server.Log.Count, [.. new FetchProgress(database).CompletedLines().Select(l => $"/item/{l}")]));
        }
        using (var last = CliProcess.Start([.. arguments, "--resume"], harness.Folder))
            Assert.Equal(0, await last.WaitAsync(Limit));

        var final = CrawlHarness.ReadResults(output);
        Assert.Equal(Lines, final.Count);
        Assert.Equal(Enumerable.Range(1, Lines).Select(i => (long)i), final.Select(r => r.Line).Order());
        Assert.All(final, r => Assert.Equal($"http://list.test:{server.Port}/item/{r.Line}", r.Url));
        Assert.All(final, r => Assert.Equal(200, r.Status));
        var log = server.Log.ToList();
        Assert.Equal(Lines, log.Select(r => r.Path).Distinct().Count());
        AssertRepeatsOnlyUncommitted(log, committedAtKill, r => r.Path);
    }

    /// <summary>
    /// Every request made after a kill is for a URL that was not committed when the process died: the
    /// only repeats are work that was in flight (fetched, perhaps written, not yet committed).
    /// </summary>
    private static void AssertRepeatsOnlyUncommitted(List<ServedRequest> log, List<(int LogPosition, HashSet<string> Committed)> kills, Func<ServedRequest, string?> keyOf)
    {
        int repeats = log.Select(keyOf).Where(k => k is not null).GroupBy(k => k).Sum(g => g.Count() - 1);
        foreach (var (position, committed) in kills)
        {
            Assert.NotEmpty(committed);
            var refetched = log.Skip(position).Select(keyOf).Where(k => k is not null && committed.Contains(k)).ToList();
            Assert.True(refetched.Count == 0, $"fetched again although committed before the kill: {string.Join(", ", refetched.Take(5))}");
        }
        // Written to the test log so the figure can be read from a run.
        Console.WriteLine($"repeats after {kills.Count} kills: {repeats.ToString(CultureInfo.InvariantCulture)}");
    }

    private static IEnumerable<string> CrawlArguments(SiteGraphServer server, string folder) =>
    [
        "crawl", server.Url("site0.test", "/"), "--scope", "any", "-o", System.IO.Path.Combine(folder, "out.jsonl"),
        "--delay", "0", "--per-host", "1", "-c", "8", "--retry-delay", "0.01", "--quiet", .. server.ResolveArguments,
    ];

    /// <summary>Host and path: the two servers listen on different ports.</summary>
    private static string HostPath(string url) => new Uri(url).Host + new Uri(url).AbsolutePath;
}
