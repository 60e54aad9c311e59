using System.Text;
using Npgsql;
using Quiver.Cluster.Client;
using Quiver.Cluster.Jobs;
using Quiver.Cluster.Tests.Infrastructure;
using Quiver.Fetching;
using Quiver.Tests.Crawl;

namespace Quiver.Cluster.Tests;

[Collection(PostgresCollection.Name)]
public sealed class FetchJobTests(PostgresServer postgres) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("quiver-cluster-").FullName;

    [Fact]
    public async Task A_list_fetched_on_two_silos_gives_one_record_per_line_with_its_line_number()
    {
        string database = await postgres.CreateClusterDatabaseAsync();
        await using var server = await SiteGraphServer.StartAsync(SiteGraph.Generate(siteCount: 4, pagesPerSite: 10));
        var lines = new List<string> { "# a comment, skipped but counted" };
        foreach (string host in server.Graph.Sites.Keys.Order(StringComparer.Ordinal))
            lines.AddRange(Enumerable.Range(0, 10).Select(p => server.Url(host, $"/p/{p}")));
        lines.Add("not a url");
        await using var cluster = await ClusterHarness.StartClusterAsync(2, ClusterHarness.SiloOptions(database, server));
        await using var dataSource = NpgsqlDataSource.Create(database);
        string output = Path.Combine(_directory, "fetch.jsonl");

        var outcome = await new ClusterJobRunner(dataSource, cluster.Client).RunAsync(new ClusterJobRequest
        {
            Name = "list",
            Spec = new JobSpec { Kind = JobKind.Fetch, PerHostDelayMs = 0, PerHostConcurrency = 4, RespectRobots = false },
            List = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines))),
            OutputPath = output,
            PollInterval = TimeSpan.FromMilliseconds(100),
        }).WaitAsync(TimeSpan.FromMinutes(2));

        var results = ClusterHarness.ReadResults(output).OrderBy(r => r.Line).ToList();
        Assert.Equal(lines.Count - 1, outcome.Written);
        Assert.Equal(Enumerable.Range(2, lines.Count - 1).Select(n => (long)n), results.Select(r => r.Line));
        Assert.All(results.SkipLast(1), r => Assert.Equal((lines[(int)r.Line - 1], 200), (r.Url, r.Status ?? 0)));
        Assert.Equal(FetchErrorKind.InvalidUrl, results[^1].Error);
        Assert.All(results, r => Assert.Null(r.Depth));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
