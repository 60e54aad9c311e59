using Microsoft.Data.Sqlite;

namespace Quiver.State;

/// <summary>
/// The embedded SQLite file that makes a run resumable: a key/value <c>meta</c> table plus the
/// tables of <see cref="CrawlState"/> and <see cref="FetchProgress"/>. Write-ahead logging with
/// <c>synchronous=NORMAL</c>: a committed transaction survives the process being killed (only a
/// power cut can lose the last commits, never corrupt the file).
/// </summary>
public sealed class StateDatabase : IDisposable
{
    private StateDatabase(SqliteConnection connection) => Connection = connection;

    internal SqliteConnection Connection { get; }

    /// <summary>Opens (creating when missing) the state file at <paramref name="path"/>.</summary>
    public static StateDatabase Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
        var database = new StateDatabase(connection);
        database.Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS frontier (
                id INTEGER PRIMARY KEY,
                url TEXT NOT NULL UNIQUE,
                depth INTEGER NOT NULL,
                referrer TEXT,
                result TEXT);
            CREATE TABLE IF NOT EXISTS lines (line INTEGER PRIMARY KEY, result TEXT NOT NULL);
            """);
        return database;
    }

    /// <summary>A value from the meta table, or null.</summary>
    public string? GetMeta(string key)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }

    /// <summary>Sets a meta value in its own transaction, or in <paramref name="transaction"/> when given.</summary>
    public void SetMeta(string key, string value, SqliteTransaction? transaction = null)
    {
        using var command = Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Runs <paramref name="sql"/> (with <c>$key</c> and <c>$result</c> parameters), prepared once,
    /// for each row inside <paramref name="transaction"/>: how both kinds of state record results.
    /// </summary>
    internal void WriteResults(SqliteTransaction transaction, string sql, IEnumerable<(long Key, string Json)> rows)
    {
        using var command = Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var key = command.Parameters.Add("$key", SqliteType.Integer);
        var result = command.Parameters.Add("$result", SqliteType.Text);
        command.Prepare();
        foreach (var (number, json) in rows)
        {
            key.Value = number;
            result.Value = json;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Records the WARC file's committed length in the same transaction as the results it holds.</summary>
    internal void SetWarcLength(long? warcLength, SqliteTransaction transaction)
    {
        if (warcLength is { } length) SetMeta(MetaKeys.WarcLength, length.ToString(System.Globalization.CultureInfo.InvariantCulture), transaction);
    }

    internal void Execute(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => Connection.Dispose();
}
