using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Messaging;

namespace Quiver.Cluster.Membership;

/// <summary>
/// A client's list of gateways from Quiver's membership table (<see cref="PostgresMembershipTable"/>):
/// every active silo that listens for clients, at its gateway (proxy) port.
/// </summary>
internal sealed class PostgresGatewayListProvider(PostgresMembershipOptions options, IOptions<ClusterOptions> cluster, IOptions<GatewayOptions> gateway)
    : IGatewayListProvider, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
    private readonly string _clusterId = cluster.Value.ClusterId;

    public TimeSpan MaxStaleness { get; } = gateway.Value.GatewayListRefreshPeriod;

    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => Task.CompletedTask;

    public async Task<IList<Uri>> GetGateways()
    {
        await using var command = _dataSource.CreateCommand(
            "select silo, proxy_port from quiver_membership where cluster_id = $1 and status = $2 and proxy_port > 0");
        command.Parameters.Add(new() { Value = _clusterId });
        command.Parameters.Add(new() { Value = (int)SiloStatus.Active });
        var gateways = new List<Uri>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            var silo = SiloAddress.FromParsableString(reader.GetString(0));
            gateways.Add(SiloAddress.New(new IPEndPoint(silo.Endpoint.Address, reader.GetInt32(1)), silo.Generation).ToGatewayUri());
        }
        return gateways;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
