using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace Quiver.Cluster.Membership;

/// <summary>
/// Orleans' membership table in Quiver's own PostgreSQL tables (quiver_membership_version and
/// quiver_membership, Schema/Quiver.sql), through Npgsql. Written by hand so that the cluster's database
/// holds one schema, ours and small, created by one script next to the frontier's tables: no Orleans
/// package here creates PostgreSQL membership tables of its own. Orleans' contract: a change (insert or update of a
/// silo's row) commits only together with the table version it names, and only if the version's etag
/// (and, for an update, the row's etag) is still the one the caller read; otherwise nothing changes and
/// the call answers false, so the caller re-reads and tries again.
/// </summary>
internal sealed class PostgresMembershipTable(PostgresMembershipOptions options, IOptions<ClusterOptions> cluster)
    : IMembershipTable, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
    private readonly string _clusterId = cluster.Value.ClusterId;

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        if (!tryInitTableVersion) return;
        await using var command = _dataSource.CreateCommand(
            "insert into quiver_membership_version (cluster_id, version, etag) values ($1, 0, $2) on conflict (cluster_id) do nothing");
        command.Parameters.Add(new() { Value = _clusterId });
        command.Parameters.Add(new() { Value = NewEtag() });
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        // The silo rows go with their version row (on delete cascade).
        await using var command = _dataSource.CreateCommand("delete from quiver_membership_version where cluster_id = $1");
        command.Parameters.Add(new() { Value = clusterId });
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        await using var command = _dataSource.CreateCommand(
            "delete from quiver_membership where cluster_id = $1 and status <> $2 and iamalive < $3");
        command.Parameters.Add(new() { Value = _clusterId });
        command.Parameters.Add(new() { Value = (int)SiloStatus.Active });
        command.Parameters.Add(new() { Value = beforeDate.UtcDateTime });
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadAsync(key);

    public Task<MembershipTableData> ReadAll() => ReadAsync(null);

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) =>
        ChangeAsync(tableVersion, async (connection, transaction) =>
        {
            var record = MembershipRecord.From(entry);
            await using var command = new NpgsqlCommand("""
                insert into quiver_membership (cluster_id, silo, status, proxy_port, iamalive, etag, entry)
                values ($1, $2, $3, $4, $5, $6, $7::jsonb)
                on conflict (cluster_id, silo) do nothing
                """, connection, transaction);
            AddRow(command, record);
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
        });

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) =>
        ChangeAsync(tableVersion, async (connection, transaction) =>
        {
            var record = MembershipRecord.From(entry);
            await using var command = new NpgsqlCommand("""
                update quiver_membership set status = $3, proxy_port = $4, iamalive = $5, etag = $6, entry = $7::jsonb
                where cluster_id = $1 and silo = $2 and etag = $8
                """, connection, transaction);
            AddRow(command, record);
            command.Parameters.Add(new() { Value = etag });
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
        });

    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        // A heartbeat, not a membership change: no version bump and the row keeps its etag, so it never
        // makes another silo's concurrent update of this row fail. Reads take the time from the column.
        await using var command = _dataSource.CreateCommand("update quiver_membership set iamalive = $3 where cluster_id = $1 and silo = $2");
        command.Parameters.Add(new() { Value = _clusterId });
        command.Parameters.Add(new() { Value = entry.SiloAddress.ToParsableString() });
        command.Parameters.Add(new() { Value = MembershipRecord.Utc(entry.IAmAliveTime) });
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>The version and the rows (one silo's, or all) as one snapshot.</summary>
    private async Task<MembershipTableData> ReadAsync(SiloAddress? key)
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead).ConfigureAwait(false);
        TableVersion version;
        await using (var command = new NpgsqlCommand("select version, etag from quiver_membership_version where cluster_id = $1", connection, transaction))
        {
            command.Parameters.Add(new() { Value = _clusterId });
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            // No version row yet (nobody initialised the table): version 0 with an etag no change can match.
            version = await reader.ReadAsync().ConfigureAwait(false) ? new TableVersion(reader.GetInt32(0), reader.GetString(1)) : new TableVersion(0, "");
        }
        var rows = new List<Tuple<MembershipEntry, string>>();
        await using (var command = new NpgsqlCommand(
            "select entry::text, iamalive, etag from quiver_membership where cluster_id = $1 and ($2::text is null or silo = $2)", connection, transaction))
        {
            command.Parameters.Add(new() { Value = _clusterId });
            command.Parameters.Add(new() { Value = (object?)key?.ToParsableString() ?? DBNull.Value });
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var entry = MembershipRecord.FromJson(reader.GetString(0)).ToEntry();
                entry.IAmAliveTime = reader.GetDateTime(1);
                rows.Add(Tuple.Create(entry, reader.GetString(2)));
            }
        }
        await transaction.CommitAsync().ConfigureAwait(false);
        return new MembershipTableData(rows, version);
    }

    /// <summary>
    /// One membership change in one transaction: first the version row moves to <paramref name="tableVersion"/>
    /// if its etag is still <see cref="TableVersion.VersionEtag"/> (the row lock this takes orders racing
    /// changes), then <paramref name="change"/>; if either matches nothing, the transaction rolls back.
    /// </summary>
    private async Task<bool> ChangeAsync(TableVersion tableVersion, Func<NpgsqlConnection, NpgsqlTransaction, Task<bool>> change)
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using (var bump = new NpgsqlCommand(
            "update quiver_membership_version set version = $2, etag = $3 where cluster_id = $1 and etag = $4", connection, transaction))
        {
            bump.Parameters.Add(new() { Value = _clusterId });
            bump.Parameters.Add(new() { Value = tableVersion.Version });
            bump.Parameters.Add(new() { Value = NewEtag() });
            bump.Parameters.Add(new() { Value = tableVersion.VersionEtag ?? "" });
            if (await bump.ExecuteNonQueryAsync().ConfigureAwait(false) != 1)
                return false; // disposing the transaction rolls it back
        }
        if (!await change(connection, transaction).ConfigureAwait(false)) return false;
        await transaction.CommitAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>Parameters $1..$7 of a silo's row, with a fresh row etag.</summary>
    private void AddRow(NpgsqlCommand command, MembershipRecord record)
    {
        command.Parameters.Add(new() { Value = _clusterId });
        command.Parameters.Add(new() { Value = record.Silo });
        command.Parameters.Add(new() { Value = record.Status });
        command.Parameters.Add(new() { Value = record.ProxyPort });
        command.Parameters.Add(new() { Value = record.IAmAliveTime });
        command.Parameters.Add(new() { Value = NewEtag() });
        command.Parameters.Add(new() { Value = record.ToJson() });
    }

    private static string NewEtag() => Guid.NewGuid().ToString("N");
}
