namespace Quiver.State;

/// <summary>
/// The results a state file has committed, read the way a repair of the output needs them: the keys
/// as a compact set, the results streamed in key order, so neither is ever held whole as strings.
/// </summary>
public interface ICommittedResults
{
    /// <summary>The keys (input line numbers, or crawl frontier ids) that have a committed result.</summary>
    LineSet CommittedKeys();

    /// <summary>Every committed result as its JSON line, in ascending key order, read lazily from the database.</summary>
    IEnumerable<(long Key, string Json)> ReadCommitted();
}
