using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Messaging;
using Quiver.Cluster.Frontier;
using Quiver.Cluster.Membership;
using Quiver.Cluster.Telemetry;

namespace Quiver.Cluster.Silo;

/// <summary>Makes an Orleans silo a Quiver node: PostgreSQL membership, the frontier, the fetch pool and housekeeping.</summary>
public static class SiloHosting
{
    /// <summary>Orleans membership in Quiver's own tables on the same PostgreSQL database as the frontier.</summary>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder silo, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        silo.Services.AddSingleton(new PostgresMembershipOptions(connectionString));
        silo.Services.AddSingleton<IMembershipTable, PostgresMembershipTable>();
        return silo;
    }

    /// <summary>A client's (the job submitter's) gateways: the active nodes in the cluster's membership table.</summary>
    public static IClientBuilder UsePostgresClustering(this IClientBuilder client, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        client.Services.AddSingleton(new PostgresMembershipOptions(connectionString));
        client.Services.AddSingleton<IGatewayListProvider, PostgresGatewayListProvider>();
        return client;
    }

    /// <summary>The host grains' services on this silo.</summary>
    public static ISiloBuilder AddQuiverNode(this ISiloBuilder silo, ClusterSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        var services = silo.Services;
        services.AddSingleton(options);
        services.AddSingleton(_ => NpgsqlDataSource.Create(options.ConnectionString));
        services.AddSingleton<PostgresFrontier>();
        services.AddSingleton<JobCatalog>();
        services.AddSingleton<ClusterMetrics>();
        services.AddSingleton<SiloFetchPool>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<SiloFetchPool>());
        services.AddHostedService<SiloHousekeeping>();
        return silo;
    }
}
