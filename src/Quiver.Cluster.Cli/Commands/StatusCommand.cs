using System.CommandLine;
using Npgsql;

namespace Quiver.Cluster.Cli.Commands;

/// <summary><c>quiver cluster status --db CONN</c>: nodes, their hosts and rates, the frontier's size, the jobs.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var command = new Command("status", "Show the cluster's nodes, hosts, frontier and jobs") { db };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var dataSource = NpgsqlDataSource.Create(parse.GetValue(db)!);
            Console.WriteLine("nodes (membership; quiver heartbeat)");
            await PrintAsync(dataSource, """
                select split_part(m.silo, '@', 1) as node,
                       case m.status when 3 then 'active' when 6 then 'dead' when 5 then 'stopping' when 1 then 'created' when 2 then 'joining' when 4 then 'shutting down' else m.status::text end as status,
                       coalesce(s.hosts, 0) as hosts, coalesce(s.in_flight, 0) as in_flight, coalesce(s.fetched, 0) as fetched,
                       case when s.seen > s.started then round(s.fetched / extract(epoch from s.seen - s.started)::numeric, 1) else 0 end as pages_per_s,
                       to_char(m.iamalive, 'HH24:MI:SS') as alive_at
                from quiver_membership m
                left join quiver_silos s on s.silo = m.silo
                where m.cluster_id = 'quiver'
                order by m.status, node
                """, cancellationToken);
            Console.WriteLine();
            Console.WriteLine("frontier (URLs not done, by state)");
            await PrintAsync(dataSource, """
                select count(*) filter (where f.state = 0) as pending, count(*) filter (where f.state = 1) as leased,
                       count(*) filter (where f.state = 1 and f.lease_expires < now()) as expired_leases,
                       count(distinct f.host_key) as hosts
                from quiver_frontier f join quiver_jobs j on j.id = f.job
                where j.finished is null and f.state < 2
                """, cancellationToken);
            Console.WriteLine();
            Console.WriteLine("busiest hosts (open URLs)");
            await PrintAsync(dataSource, """
                select f.job, f.host_key as host, count(*) as open, h.epoch, h.silo as node
                from quiver_frontier f join quiver_jobs j on j.id = f.job
                left join quiver_hosts h on h.job = f.job and h.host_key = f.host_key
                where j.finished is null and f.state < 2
                group by f.job, f.host_key, h.epoch, h.silo order by open desc limit 10
                """, cancellationToken);
            Console.WriteLine();
            Console.WriteLine("jobs");
            await PrintAsync(dataSource, """
                select j.id, j.name, j.kind, count(f.url) as admitted, count(*) filter (where f.state = 2) as done,
                       to_char(j.created, 'YYYY-MM-DD HH24:MI:SS') as created, coalesce(to_char(j.finished, 'HH24:MI:SS'), 'running') as finished
                from quiver_jobs j left join quiver_frontier f on f.job = j.id
                group by j.id order by j.id
                """, cancellationToken);
            return CompanionHost.Ok;
        });
        return command;
    }

    /// <summary>Prints a query's rows as an aligned, tab-free table.</summary>
    private static async Task PrintAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<string[]> { Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray() };
        while (await reader.ReadAsync(cancellationToken))
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "-" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "")]);
        int[] widths = [.. Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length))];
        foreach (var row in rows)
            Console.WriteLine("  " + string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
    }
}
