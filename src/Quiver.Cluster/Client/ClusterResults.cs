using Npgsql;
using Quiver.State;

namespace Quiver.Cluster.Client;

/// <summary>
/// A job's committed results as the output needs them. Rows are read in windows of committing
/// transactions: everything below the oldest transaction still running (<c>pg_snapshot_xmin</c>) has
/// committed or never will, so a window, once read, never gains a row, and every row falls in exactly
/// one window, however late its transaction commits relative to its key. That gives exactly-once output
/// without a per-row acknowledgement, and a resume needs only the windows already written.
/// </summary>
internal sealed class ClusterResults(NpgsqlDataSource dataSource, long job)
{
    /// <summary>The transaction id below which every result row is settled.</summary>
    public async Task<ulong> WatermarkAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select pg_snapshot_xmin(pg_current_snapshot())::text");
        return ulong.Parse((string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The results committed by transactions in [<paramref name="from"/>, <paramref name="to"/>), in key order.</summary>
    public async IAsyncEnumerable<(long Key, string Json)> ReadAsync(ulong from, ulong to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "select key, line from quiver_results where job = $1 and xid >= $2::text::xid8 and xid < $3::text::xid8 order by key");
        command.Parameters.Add(new() { Value = job });
        command.Parameters.Add(new() { Value = from.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        command.Parameters.Add(new() { Value = to.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            yield return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>The results below a watermark, as the library's output repair reads a run's committed results.</summary>
    public ICommittedResults Below(ulong watermark) => new Settled(this, watermark);

    private sealed class Settled(ClusterResults results, ulong watermark) : ICommittedResults
    {
        public LineSet CommittedKeys()
        {
            var keys = new LineSet();
            foreach (var (key, _) in ReadCommitted()) keys.Add(key);
            return keys;
        }

        // The repair is synchronous; it runs before the client streams anything, so blocking here holds up nothing else.
        public IEnumerable<(long Key, string Json)> ReadCommitted() =>
            results.ReadAsync(0, watermark, CancellationToken.None).ToBlockingEnumerable();
    }
}
