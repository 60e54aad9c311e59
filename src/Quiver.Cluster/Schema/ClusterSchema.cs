using System.Reflection;
using Npgsql;

namespace Quiver.Cluster.Schema;

/// <summary>
/// Creates the cluster's tables (Schema/Quiver.sql): the frontier, results, hosts, heartbeats and
/// Orleans membership, all Quiver's own.
/// </summary>
public static class ClusterSchema
{
    /// <summary>Creates what is missing; a second init changes nothing (the script says "if not exists").</summary>
    public static async Task InitAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await RunAsync(connection, "Quiver.sql", cancellationToken).ConfigureAwait(false);
    }

    private static async Task RunAsync(NpgsqlConnection connection, string script, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(Read(script), connection, transaction))
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Read(string script)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Quiver.Cluster.Schema." + script)
            ?? throw new InvalidOperationException($"schema script {script} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
