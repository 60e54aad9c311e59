using Microsoft.Data.Sqlite;

namespace Quiver.State;

/// <summary>One URL the crawler has admitted: its row in the frontier table.</summary>
/// <param name="Id">Admission order; also the <c>line</c> of its result.</param>
/// <param name="Url">The normalised URL.</param>
/// <param name="Depth">Links followed from a seed (seeds are 0).</param>
/// <param name="Referrer">The page that linked here; null for seeds.</param>
public sealed record FrontierItem(long Id, Uri Url, int Depth, string? Referrer);

/// <summary>What a crawl's state file holds when it is opened.</summary>
public sealed record CrawlSnapshot(IReadOnlyList<FrontierItem> Pending, HashSet<string> Seen, long NextId, long Completed);

/// <summary>
/// A crawl's frontier, seen set and results in the state file. A URL is one row from the moment it
/// is admitted; the row gets its result when the page is done. Pages finished and the links they
/// revealed are committed together, so after a kill the file never holds a finished page whose
/// links are missing, nor a link without the page that revealed it.
/// </summary>
public sealed class CrawlState(StateDatabase database) : ICommittedResults
{
    public StateDatabase Database { get; } = database ?? throw new ArgumentNullException(nameof(database));

    /// <summary>Reads the frontier: pending URLs in admission order, every URL ever admitted, the next id.</summary>
    public CrawlSnapshot Load()
    {
        var pending = new List<FrontierItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long maxId = 0, completed = 0;
        using var command = Database.Connection.CreateCommand();
        command.CommandText = "SELECT id, url, depth, referrer, result IS NOT NULL FROM frontier ORDER BY id";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            long id = reader.GetInt64(0);
            string url = reader.GetString(1);
            maxId = Math.Max(maxId, id);
            seen.Add(url);
            if (reader.GetBoolean(4))
                completed++;
            else
                pending.Add(new FrontierItem(id, new Uri(url), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
        return new CrawlSnapshot(pending, seen, maxId + 1, completed);
    }

    /// <summary>The frontier ids of the finished pages, one bit an id (ids are dense from 1, in admission order).</summary>
    public LineSet CommittedKeys()
    {
        var keys = new LineSet();
        using var command = Database.Connection.CreateCommand();
        command.CommandText = "SELECT id FROM frontier WHERE result IS NOT NULL";
        using var reader = command.ExecuteReader();
        while (reader.Read()) keys.Add(reader.GetInt64(0));
        return keys;
    }

    /// <inheritdoc/>
    public IEnumerable<(long Key, string Json)> ReadCommitted()
    {
        using var command = Database.Connection.CreateCommand();
        command.CommandText = "SELECT id, result FROM frontier WHERE result IS NOT NULL ORDER BY id";
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>Where the seeds finished (after redirects), for seeds already done.</summary>
    public List<string> SeedFinalUrls()
    {
        var urls = new List<string>();
        using var command = Database.Connection.CreateCommand();
        command.CommandText = "SELECT result FROM frontier WHERE depth = 0 AND result IS NOT NULL";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (Output.JsonLinesResultWriter.FromJson(reader.GetString(0)).FinalUrl is { } final) urls.Add(final);
        }
        return urls;
    }

    /// <summary>In one transaction: admits <paramref name="added"/>, records the results of <paramref name="done"/>, and the WARC length.</summary>
    public void Commit(IReadOnlyList<FrontierItem> added, IReadOnlyList<(long Id, string Json)> done, long? warcLength)
    {
        ArgumentNullException.ThrowIfNull(added);
        ArgumentNullException.ThrowIfNull(done);
        using var transaction = Database.Connection.BeginTransaction();
        if (added.Count > 0)
        {
            using var insert = Database.Connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR IGNORE INTO frontier (id, url, depth, referrer) VALUES ($id, $url, $depth, $referrer)";
            var id = insert.Parameters.Add("$id", SqliteType.Integer);
            var url = insert.Parameters.Add("$url", SqliteType.Text);
            var depth = insert.Parameters.Add("$depth", SqliteType.Integer);
            var referrer = insert.Parameters.Add("$referrer", SqliteType.Text);
            insert.Prepare();
            foreach (var item in added)
            {
                id.Value = item.Id;
                url.Value = item.Url.AbsoluteUri;
                depth.Value = item.Depth;
                referrer.Value = (object?)item.Referrer ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
        }
        Database.WriteResults(transaction, "UPDATE frontier SET result = $result WHERE id = $key", done);
        Database.SetWarcLength(warcLength, transaction);
        transaction.Commit();
    }
}
