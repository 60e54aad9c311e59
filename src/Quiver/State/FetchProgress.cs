namespace Quiver.State;

/// <summary>
/// What a resumable list fetch has finished: each input line number with its result, committed in
/// batches after the results are written to the output file.
/// </summary>
public sealed class FetchProgress(StateDatabase database) : ICommittedResults
{
    public StateDatabase Database { get; } = database ?? throw new ArgumentNullException(nameof(database));

    /// <summary>The line numbers already done, one bit a line.</summary>
    public LineSet CompletedLines()
    {
        var done = new LineSet();
        using var command = Database.Connection.CreateCommand();
        command.CommandText = "SELECT line FROM lines";
        using var reader = command.ExecuteReader();
        while (reader.Read()) done.Add(reader.GetInt64(0));
        return done;
    }

    /// <inheritdoc/>
    public LineSet CommittedKeys() => CompletedLines();

    /// <summary>How many lines are done, counted by SQLite without reading their results.</summary>
    public long CompletedCount()
    {
        using var command = Database.Connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM lines";
        return (long)command.ExecuteScalar()!;
    }

    /// <inheritdoc/>
    public IEnumerable<(long Key, string Json)> ReadCommitted()
    {
        using var command = Database.Connection.CreateCommand();
        command.CommandText = "SELECT line, result FROM lines ORDER BY line";
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>Marks a batch of lines done, with their results, in one transaction; <paramref name="warcLength"/> is recorded with it.</summary>
    public void Commit(IReadOnlyList<(long Line, string Json)> batch, long? warcLength)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var transaction = Database.Connection.BeginTransaction();
        Database.WriteResults(transaction, "INSERT OR REPLACE INTO lines (line, result) VALUES ($key, $result)", batch);
        Database.SetWarcLength(warcLength, transaction);
        transaction.Commit();
    }
}
