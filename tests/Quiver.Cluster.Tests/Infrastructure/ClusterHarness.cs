using Npgsql;
using Orleans.Configuration;
using Orleans.TestingHost;
using Quiver.Cluster.Jobs;
using Quiver.Cluster.Silo;
using Quiver.Crawl;
using Quiver.Fetching;
using Quiver.Tests.Crawl;

namespace Quiver.Cluster.Tests.Infrastructure;

/// <summary>Settings shared by the cluster tests: short leases and sweeps, fast failure detection, a small politeness delay.</summary>
internal static class ClusterHarness
{
    /// <summary>
    /// Longer than any wait a leased URL has on a loaded machine: an expired lease is fetched again by
    /// its own host, which would be a repeat no node's death caused. A dead node's leases are taken over
    /// when Orleans declares it dead, not when they expire.
    /// </summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    public static ClusterSiloOptions SiloOptions(string database, SiteGraphServer server, int concurrency = 8) => new()
    {
        ConnectionString = database,
        Concurrency = concurrency,
        LeaseDuration = Lease,
        SweepInterval = TimeSpan.FromMilliseconds(300),
        Fetch = new FetchOptions { Resolve = server.Resolve, Timeout = TimeSpan.FromSeconds(10) },
    };

    /// <summary>A crawl of the whole graph from one seed, following links into any of its sites.</summary>
    public static JobSpec CrawlOf(SiteGraphServer server, string seed, int delayMs) => new()
    {
        Kind = JobKind.Crawl,
        Crawl = new CrawlSettings { Seeds = [seed], Scope = ScopeKind.Any },
        PerHostDelayMs = delayMs,
    };

    /// <summary>An in-process cluster of <paramref name="silos"/> silos (Orleans' test host) running Quiver nodes with <paramref name="options"/>.</summary>
    public static async Task<InProcessTestCluster> StartClusterAsync(short silos, ClusterSiloOptions options)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddQuiverNode(options);
            // A killed silo is declared dead in a few seconds rather than the production half-minute.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public static List<FetchResult> ReadResults(string path) =>
        [.. File.ReadLines(path).Where(l => l.Length > 0).Select(Output.JsonLinesResultWriter.FromJson)];

    public static async Task<long> ScalarAsync(string database, string sql, params object[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
