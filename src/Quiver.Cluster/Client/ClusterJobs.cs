using Npgsql;
using Quiver.Cluster.Jobs;

namespace Quiver.Cluster.Client;

/// <summary>A job's progress: URLs admitted, done, and leased right now.</summary>
public sealed record JobProgress(long Admitted, long Done, long Leased);

/// <summary>Submitting jobs and reading their progress.</summary>
internal sealed class ClusterJobs(NpgsqlDataSource dataSource)
{
    public async Task<long?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select id from quiver_jobs where name = $1");
        command.Parameters.Add(new() { Value = name });
        return (long?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the job and its first URLs in one transaction. <paramref name="urls"/> carry their
    /// result key: a list's line number, or null for a crawl's seeds, which take the frontier's
    /// sequence as the links they lead to will (keys are unique within a job); <paramref name="invalid"/>
    /// are lines that are no URL, committed at once as results.
    /// </summary>
    public async Task<(long Job, HashSet<string> Hosts)> SubmitAsync(
        string name, JobSpec spec, IReadOnlyList<(long? Key, Uri Url)> urls, IReadOnlyList<(long Key, string Text, string Json)> invalid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long job;
        await using (var create = new NpgsqlCommand(
            "insert into quiver_jobs (name, kind, spec) values ($1, $2, $3::jsonb) returning id", connection, transaction))
        {
            create.Parameters.Add(new() { Value = name });
            create.Parameters.Add(new() { Value = spec.Kind.ToString().ToLowerInvariant() });
            create.Parameters.Add(new() { Value = spec.ToJson() });
            job = (long)(await create.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        const int Batch = 10_000;
        for (int start = 0; start < urls.Count; start += Batch)
        {
            var batch = urls.Skip(start).Take(Batch).ToList();
            await using var insert = new NpgsqlCommand("""
                insert into quiver_frontier (job, url, id, host_key, depth)
                select $1, u, coalesce(k, nextval(pg_get_serial_sequence('quiver_frontier', 'id'))), h, 0
                from unnest($2::text[], $3::bigint[], $4::text[]) as t(u, k, h)
                on conflict do nothing returning host_key
                """, connection, transaction);
            insert.Parameters.Add(new() { Value = job });
            insert.Parameters.Add(new() { Value = batch.Select(u => u.Url.AbsoluteUri).ToArray() });
            insert.Parameters.Add(new() { Value = batch.Select(u => u.Key).ToArray() });
            insert.Parameters.Add(new() { Value = batch.Select(u => GrainKeys.HostKey(u.Url, spec.GrainScope)).ToArray() });
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) hosts.Add(reader.GetString(0));
        }
        foreach (var (key, text, json) in invalid)
        {
            await using var bad = new NpgsqlCommand("""
                with f as (insert into quiver_frontier (job, url, id, host_key, depth, state) values ($1, $2, $3, '', 0, 2) on conflict do nothing returning url)
                insert into quiver_results (job, url, key, line, silo) select $1, url, $3, $4, 'client' from f
                """, connection, transaction);
            bad.Parameters.Add(new() { Value = job });
            bad.Parameters.Add(new() { Value = text });
            bad.Parameters.Add(new() { Value = key });
            bad.Parameters.Add(new() { Value = json });
            await bad.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (job, hosts);
    }

    public async Task<JobProgress> ProgressAsync(long job, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "select count(*), count(*) filter (where state = 2), count(*) filter (where state = 1) from quiver_frontier where job = $1");
        command.Parameters.Add(new() { Value = job });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new JobProgress(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>Host keys of the job with URLs not yet done: what a re-attached client wakes.</summary>
    public async Task<List<string>> OpenHostsAsync(long job, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select distinct host_key from quiver_frontier where job = $1 and state < 2");
        command.Parameters.Add(new() { Value = job });
        var hosts = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) hosts.Add(reader.GetString(0));
        return hosts;
    }

    public async Task FinishAsync(long job, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("update quiver_jobs set finished = now() where id = $1 and finished is null");
        command.Parameters.Add(new() { Value = job });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
