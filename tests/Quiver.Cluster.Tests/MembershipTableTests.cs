using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Quiver.Cluster.Membership;
using Quiver.Cluster.Tests.Infrastructure;

namespace Quiver.Cluster.Tests;

[Collection(PostgresCollection.Name)]
public sealed class MembershipTableTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_change_commits_only_against_the_version_and_row_etags_it_read()
    {
        string database = await postgres.CreateClusterDatabaseAsync();
        await using var table = new PostgresMembershipTable(new PostgresMembershipOptions(database), Options.Create(new ClusterOptions { ClusterId = "quiver-test" }));
        await table.InitializeMembershipTable(tryInitTableVersion: true);

        var first = Entry(11111, SiloStatus.Joining);
        var read = await table.ReadAll();
        Assert.Empty(read.Members);
        Assert.True(await table.InsertRow(first, read.Version.Next()));

        // A second silo inserting with the version read before the first insert: stale, refused, nothing written.
        var second = Entry(22222, SiloStatus.Joining);
        Assert.False(await table.InsertRow(second, read.Version.Next()));
        read = await table.ReadAll();
        var row = Assert.Single(read.Members);
        Assert.Equal(first.SiloAddress, row.Item1.SiloAddress);
        Assert.Equal(1, read.Version.Version);

        // Updating the row with an etag that is not its own is refused even with the current table version.
        first.Status = SiloStatus.Active;
        Assert.False(await table.UpdateRow(first, "not-the-row-etag", read.Version.Next()));
        Assert.Equal(SiloStatus.Joining, Assert.Single((await table.ReadRow(first.SiloAddress)).Members).Item1.Status);

        // With both etags current it commits, and the version moves on.
        Assert.True(await table.UpdateRow(first, row.Item2, read.Version.Next()));
        read = await table.ReadAll();
        var updated = Assert.Single(read.Members).Item1;
        Assert.Equal(SiloStatus.Active, updated.Status);
        Assert.Equal(first.ProxyPort, updated.ProxyPort);
        Assert.Equal(first.SiloName, updated.SiloName);
        Assert.Equal(2, read.Version.Version);

        // The old row etag no longer works once the row has changed.
        Assert.False(await table.UpdateRow(first, row.Item2, read.Version.Next()));
    }

    private static MembershipEntry Entry(int port, SiloStatus status) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1),
        Status = status,
        SiloName = $"silo-{port}",
        HostName = "localhost",
        ProxyPort = port + 1,
        StartTime = DateTime.UtcNow,
        IAmAliveTime = DateTime.UtcNow,
        SuspectTimes = [],
    };
}
