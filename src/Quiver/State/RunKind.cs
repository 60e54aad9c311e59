namespace Quiver.State;

/// <summary>The kind of run a state file serves; a file of one kind is never resumed as the other.</summary>
public enum RunKind
{
    /// <summary>A list fetch: the state holds each input line's result.</summary>
    Fetch,

    /// <summary>A crawl: the state holds the frontier, its results and the crawl's settings.</summary>
    Crawl,
}
