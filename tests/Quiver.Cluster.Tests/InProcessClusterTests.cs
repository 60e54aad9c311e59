using Npgsql;
using Quiver.Cluster.Client;
using Quiver.Cluster.Tests.Infrastructure;
using Quiver.Fetching;
using Quiver.Tests.Crawl;

namespace Quiver.Cluster.Tests;

[Collection(PostgresCollection.Name)]
public sealed class InProcessClusterTests(PostgresServer postgres) : IDisposable
{
    private const int DelayMs = 50;
    private readonly string _directory = Directory.CreateTempSubdirectory("quiver-cluster-").FullName;

    [Fact]
    public async Task Three_silos_crawl_a_site_graph_and_a_killed_silo_loses_no_page()
    {
        string database = await postgres.CreateClusterDatabaseAsync();
        await using var server = await SiteGraphServer.StartAsync(SiteGraph.Generate(siteCount: 12, pagesPerSite: 20));
        server.PageDelay = TimeSpan.FromMilliseconds(20);
        string seed = server.Url("site0.test", "/");
        var (expectedFetched, expectedDisallowed) = server.Graph.ExpectedCrawl([seed]);

        await using var cluster = await ClusterHarness.StartClusterAsync(3, ClusterHarness.SiloOptions(database, server, concurrency: 4));
        await using var dataSource = NpgsqlDataSource.Create(database);
        string output = Path.Combine(_directory, "results.jsonl");
        var runner = new ClusterJobRunner(dataSource, cluster.Client);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var run = runner.RunAsync(new ClusterJobRequest
        {
            Name = "kill-a-silo",
            Spec = ClusterHarness.CrawlOf(server, seed, delayMs: DelayMs),
            OutputPath = output,
            PollInterval = TimeSpan.FromMilliseconds(100),
        }, cancellationToken: timeout.Token);

        // Kill a silo (not the first, which the test host's client talks through) once it has committed pages of its own and has pages leased.
        Orleans.TestingHost.InProcessSiloHandle? victim = null;
        string victimName = "";
        long leasedAtKill = 0;
        while (!run.IsCompleted && victim is null)
        {
            foreach (var silo in cluster.Silos.Skip(1))
            {
                string name = silo.SiloAddress.ToParsableString();
                long committed = await ClusterHarness.ScalarAsync(database, "select count(*) from quiver_results where silo = $1", name);
                long leased = await ClusterHarness.ScalarAsync(database, "select count(*) from quiver_frontier where state = 1 and lease_owner = $1", name);
                if (committed >= 5 && leased > 0)
                {
                    (victim, victimName, leasedAtKill) = (silo, name, leased);
                    break;
                }
            }
            await Task.Delay(20, timeout.Token);
        }
        Assert.False(run.IsCompleted, "the crawl ended before a silo could be killed mid-way");
        await cluster.KillSiloAsync(victim!);
        // What it held then is the bound on repeats: taken again at once, before its hosts can reactivate elsewhere and re-lease.
        leasedAtKill = Math.Max(leasedAtKill, await ClusterHarness.ScalarAsync(database, "select count(*) from quiver_frontier where state = 1 and lease_owner = $1", victimName));

        var outcome = await run;
        var results = ClusterHarness.ReadResults(output);
        var urls = results.Select(r => r.Url).ToList();
        Assert.Equal(urls.Count, urls.Distinct().Count());
        Assert.Equal(expectedFetched.Union(expectedDisallowed).Order(), urls.Order());
        Assert.All(results.Where(r => expectedDisallowed.Contains(r.Url)), r => Assert.Equal(FetchErrorKind.RobotsDisallowed, r.Error));
        Assert.All(results.Where(r => expectedFetched.Contains(r.Url)), r => Assert.Null(r.Error));
        Assert.Equal(results.Count, outcome.Written);

        // Fetched twice only what the killed silo had leased (in flight or queued) when it died.
        int repeats = server.PageRequests().GroupBy(u => u).Sum(g => g.Count() - 1);
        Assert.InRange(repeats, 0, (int)leasedAtKill);
        long survivors = await ClusterHarness.ScalarAsync(database, "select count(distinct silo) from quiver_results where silo <> $1", victimName);
        Assert.Equal(2, survivors);

        // Politeness across silos, from the server's own clock: whichever silo sent them, and across the
        // kill, no host saw two requests closer than its delay.
        foreach (var host in server.Log.GroupBy(r => r.Host))
        {
            var arrivals = host.Select(r => r.Timestamp).Order().ToList();
            for (int i = 1; i < arrivals.Count; i++)
                Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(arrivals[i - 1], arrivals[i]) >= TimeSpan.FromMilliseconds(DelayMs),
                    $"{host.Key}: two requests {System.Diagnostics.Stopwatch.GetElapsedTime(arrivals[i - 1], arrivals[i]).TotalMilliseconds:0.#} ms apart");
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
