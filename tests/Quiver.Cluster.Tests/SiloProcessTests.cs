using System.Net;
using System.Net.Sockets;
using Quiver.Cluster.Tests.Infrastructure;
using Quiver.Tests.Crawl;

namespace Quiver.Cluster.Tests;

/// <summary>The companion end to end: <c>cluster silo</c> processes, a <c>crawl --cluster</c> client, real SIGKILLs.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloProcessTests(PostgresServer postgres) : IDisposable
{
    private static readonly TimeSpan Startup = TimeSpan.FromMinutes(2);
    private readonly string _directory = Directory.CreateTempSubdirectory("quiver-cluster-").FullName;
    private readonly List<CompanionProcess> _processes = [];

    [Fact]
    public async Task A_silo_and_the_client_killed_with_sigkill_lose_no_page_and_the_resumed_output_holds_each_url_once()
    {
        string database = await postgres.CreateClusterDatabaseAsync();
        await using var server = await SiteGraphServer.StartAsync(SiteGraph.Generate(siteCount: 6, pagesPerSite: 25));
        server.PageDelay = TimeSpan.FromMilliseconds(30);
        string seed = server.Url("site0.test", "/");
        var (expectedFetched, expectedDisallowed) = server.Graph.ExpectedCrawl([seed]);

        var silos = new List<(CompanionProcess Process, int Port)>();
        for (int i = 0; i < 3; i++)
        {
            int siloPort = FreePort(), gatewayPort = FreePort();
            var silo = Track(CompanionProcess.Start([
                "cluster", "silo", "--db", database, "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}",
                "-c", "4", "--lease", "60", "--sweep", "0.3", "--probe-timeout", "1", .. server.ResolveArguments]));
            silos.Add((silo, siloPort));
        }
        foreach (var (silo, _) in silos) await silo.WaitForStderrAsync("node up", Startup);

        string output = Path.Combine(_directory, "results.jsonl");
        string[] crawl = ["crawl", "--cluster", database, seed, "--scope", "any", "--delay", "0.02", "--out", output, "--job", "sigkill", "-q"];
        var client = Track(CompanionProcess.Start(crawl));

        // Host grains are placed at random, so any one node may hold few hosts or none: the victim is
        // whichever node is first seen with committed pages and leases still open.
        CompanionProcess? victim = null;
        string victimLike = "";
        long leasedAtKill = 0;
        while (victim is null)
        {
            Assert.False(client.HasExited, $"the crawl ended before a node could be killed: {client.Stderr}");
            foreach (var (silo, port) in silos)
            {
                string like = $"127.0.0.1:{port}@%";
                long committed = await ClusterHarness.ScalarAsync(database, "select count(*) from quiver_results where silo like $1", like);
                long leased = await ClusterHarness.ScalarAsync(database, "select count(*) from quiver_frontier where state = 1 and lease_owner like $1", like);
                if (committed >= 5 && leased > 0)
                {
                    (victim, victimLike, leasedAtKill) = (silo, like, leased);
                    break;
                }
            }
            if (victim is null) await Task.Delay(20);
        }
        victim.KillHard();
        leasedAtKill = Math.Max(leasedAtKill, await ClusterHarness.ScalarAsync(database, "select count(*) from quiver_frontier where state = 1 and lease_owner like $1", victimLike));
        client.KillHard();

        var resumed = Track(CompanionProcess.Start([.. crawl, "--resume"]));
        Assert.Equal(0, await resumed.WaitForExitAsync(Startup));

        var results = ClusterHarness.ReadResults(output);
        var urls = results.Select(r => r.Url).ToList();
        Assert.Equal(urls.Count, urls.Distinct().Count());
        Assert.Equal(expectedFetched.Union(expectedDisallowed).Order(), urls.Order());
        Assert.All(results.Where(r => expectedFetched.Contains(r.Url)), r => Assert.Null(r.Error));
        int repeats = server.PageRequests().GroupBy(u => u).Sum(g => g.Count() - 1);
        Assert.InRange(repeats, 0, (int)leasedAtKill);
    }

    [Fact]
    public async Task Quiver_hands_cluster_commands_to_the_companion_found_on_path()
    {
        string database = await postgres.CreateClusterDatabaseAsync();
        var status = Track(CompanionProcess.StartDll(CompanionProcess.QuiverDll, ["cluster", "status", "--db", database],
            new Dictionary<string, string> { ["PATH"] = Path.GetDirectoryName(CompanionProcess.CompanionDll) + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") }));
        Assert.Equal(0, await status.WaitForExitAsync(Startup));
        Assert.Contains("jobs", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quiver_without_the_companion_says_so_in_one_line_and_exits_2()
    {
        // quiver's own build folder holds no companion, and this PATH none either.
        var run = Track(CompanionProcess.StartDll(CompanionProcess.QuiverDll, ["crawl", "--cluster", "Host=127.0.0.1", "http://a.test/"],
            new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }));
        Assert.Equal(2, await run.WaitForExitAsync(Startup));
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("needs quiver-cluster", run.Stderr, StringComparison.Ordinal);
    }

    private CompanionProcess Track(CompanionProcess process)
    {
        _processes.Add(process);
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        foreach (var process in _processes) process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
