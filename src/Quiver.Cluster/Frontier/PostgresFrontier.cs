using Npgsql;
using NpgsqlTypes;
using Quiver.Cluster.Jobs;

namespace Quiver.Cluster.Frontier;

/// <summary>
/// The durable frontier, seen set and results of every job, in PostgreSQL. Each method is one
/// short transaction; none holds a lock across a fetch. The SQL is the whole protocol:
/// leasing takes pending rows (or rows leased under an older epoch, or expired) with
/// <c>for update skip locked</c>, and a commit changes a row to done only under the epoch that
/// leased it, with the host's epoch row share-locked, so a stale activation's commit is rejected.
/// </summary>
internal sealed class PostgresFrontier(NpgsqlDataSource dataSource)
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>A new activation of a host grain: bumps the host's epoch and returns it.</summary>
    public async Task<long> ActivateHostAsync(long job, string hostKey, string silo, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("""
            insert into quiver_hosts (job, host_key, epoch, silo) values ($1, $2, 1, $3)
            on conflict (job, host_key) do update set epoch = quiver_hosts.epoch + 1, silo = excluded.silo, activated = now()
            returning epoch
            """);
        command.Parameters.Add(new() { Value = job });
        command.Parameters.Add(new() { Value = hostKey });
        command.Parameters.Add(new() { Value = silo });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Leases up to <paramref name="count"/> of the host's URLs to <paramref name="epoch"/>, oldest first.</summary>
    public async Task<List<LeasedUrl>> LeaseAsync(long job, string hostKey, long epoch, string silo, int count, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("""
            update quiver_frontier f
            set state = 1, lease_owner = $3, lease_epoch = $4, lease_expires = now() + $6
            from (select url from quiver_frontier
                  where job = $1 and host_key = $2 and state < 2
                    and (state = 0 or lease_epoch < $4 or lease_expires < now())
                  order by id limit $5 for update skip locked) picked
            where f.job = $1 and f.url = picked.url
            returning f.id, f.url, f.depth, f.referrer
            """);
        command.Parameters.Add(new() { Value = job });
        command.Parameters.Add(new() { Value = hostKey });
        command.Parameters.Add(new() { Value = silo });
        command.Parameters.Add(new() { Value = epoch });
        command.Parameters.Add(new() { Value = count });
        command.Parameters.Add(new() { Value = duration, NpgsqlDbType = NpgsqlDbType.Interval });
        var leased = new List<LeasedUrl>(count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            leased.Add(new LeasedUrl(job, hostKey, epoch, reader.GetInt64(0), new Uri(reader.GetString(1)), reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
        leased.Sort((a, b) => a.Id.CompareTo(b.Id));
        return leased;
    }

    /// <summary>
    /// Commits one fetched URL: its frontier row becomes done and its result row is written in the
    /// same transaction, and the links it revealed are admitted (a link already seen is ignored).
    /// Returns null when the lease is stale (another activation owns the host now, or the URL is
    /// already done): nothing is written. Otherwise the host keys of the newly admitted links.
    /// </summary>
    public async Task<HashSet<string>?> CommitAsync(LeasedUrl leased, string json, string silo, IReadOnlyList<Admission> links, IReadOnlyList<string> seedHosts, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var done = new NpgsqlCommand("""
            update quiver_frontier set state = 2, lease_expires = null
            where job = $1 and url = $2 and state = 1 and lease_epoch = $3
              and exists (select 1 from quiver_hosts where job = $1 and host_key = $4 and epoch = $3 for share)
            """, connection, transaction))
        {
            done.Parameters.Add(new() { Value = leased.Job });
            done.Parameters.Add(new() { Value = leased.Url.AbsoluteUri });
            done.Parameters.Add(new() { Value = leased.Epoch });
            done.Parameters.Add(new() { Value = leased.HostKey });
            if (await done.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return null;
            }
        }
        await using (var result = new NpgsqlCommand(
            "insert into quiver_results (job, url, key, line, silo) values ($1, $2, $3, $4, $5) on conflict do nothing", connection, transaction))
        {
            result.Parameters.Add(new() { Value = leased.Job });
            result.Parameters.Add(new() { Value = leased.Url.AbsoluteUri });
            result.Parameters.Add(new() { Value = leased.Id });
            result.Parameters.Add(new() { Value = json });
            result.Parameters.Add(new() { Value = silo });
            await result.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        if (seedHosts.Count > 0)
        {
            await using var hosts = new NpgsqlCommand(
                "insert into quiver_seed_hosts (job, host) select $1, unnest($2::text[]) on conflict do nothing", connection, transaction);
            hosts.Parameters.Add(new() { Value = leased.Job });
            hosts.Parameters.Add(new() { Value = seedHosts.ToArray() });
            await hosts.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        var woken = links.Count == 0 ? [] : await AdmitAsync(connection, transaction, leased.Job, links, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return woken;
    }

    /// <summary>Admits a batch of URLs in one statement; returns the host keys of those that were new.</summary>
    public static async Task<HashSet<string>> AdmitAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long job, IReadOnlyList<Admission> links, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            insert into quiver_frontier (job, url, host_key, depth, referrer)
            select $1, u, h, d, r from unnest($2::text[], $3::text[], $4::int[], $5::text[]) with ordinality as t(u, h, d, r, n)
            order by n
            on conflict do nothing
            returning host_key
            """, connection, transaction);
        command.Parameters.Add(new() { Value = job });
        command.Parameters.Add(new() { Value = links.Select(l => l.Url).ToArray() });
        command.Parameters.Add(new() { Value = links.Select(l => l.HostKey).ToArray() });
        command.Parameters.Add(new() { Value = links.Select(l => l.Depth).ToArray() });
        command.Parameters.Add(new() { Value = links.Select(l => (string?)l.Referrer).ToArray() });
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) hosts.Add(reader.GetString(0));
        return hosts;
    }

    /// <summary>
    /// Hosts of running jobs with work nobody is doing: pending URLs, leases held by a node that is
    /// no longer an active member (it died: its hosts are taken over as soon as Orleans says so),
    /// or leases past their expiry (a node that is alive but stuck). Every silo asks now and then and wakes those grains, so a host
    /// whose grain died with its silo is reactivated elsewhere.
    /// </summary>
    public async Task<List<(long Job, string HostKey)>> IdleHostsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("""
            select distinct f.job, f.host_key from quiver_frontier f join quiver_jobs j on j.id = f.job
            where j.finished is null and f.state < 2
              and (f.state = 0 or f.lease_expires < now()
                   or f.lease_owner not in (select silo from quiver_membership where status = 3))
            limit $1
            """);
        command.Parameters.Add(new() { Value = limit });
        var hosts = new List<(long, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) hosts.Add((reader.GetInt64(0), reader.GetString(1)));
        return hosts;
    }

    /// <summary>URLs of running jobs not yet done, cluster-wide.</summary>
    public async Task<long> OpenCountAsync(CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(
            "select count(*) from quiver_frontier f join quiver_jobs j on j.id = f.job where j.finished is null and f.state < 2");
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The hosts a crawl's seeds redirected to, committed so far.</summary>
    public async Task<List<string>> SeedHostsAsync(long job, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("select host from quiver_seed_hosts where job = $1");
        command.Parameters.Add(new() { Value = job });
        var hosts = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) hosts.Add(reader.GetString(0));
        return hosts;
    }

    /// <summary>Every running job's spec, for the silos' job catalogue.</summary>
    public async Task<JobSpec> JobSpecAsync(long job, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("select spec::text from quiver_jobs where id = $1");
        command.Parameters.Add(new() { Value = job });
        string json = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"no job {job}");
        return JobSpec.FromJson(json);
    }

    /// <summary>Records a silo's heartbeat and counters, for <c>cluster status</c>.</summary>
    public async Task HeartbeatAsync(string silo, DateTimeOffset started, long fetched, int inFlight, int hosts, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("""
            insert into quiver_silos (silo, started, seen, fetched, in_flight, hosts) values ($1, $2, now(), $3, $4, $5)
            on conflict (silo) do update set seen = now(), fetched = excluded.fetched, in_flight = excluded.in_flight, hosts = excluded.hosts
            """);
        command.Parameters.Add(new() { Value = silo });
        command.Parameters.Add(new() { Value = started });
        command.Parameters.Add(new() { Value = fetched });
        command.Parameters.Add(new() { Value = inFlight });
        command.Parameters.Add(new() { Value = hosts });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
