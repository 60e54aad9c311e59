using Quiver.Fetching;
using Quiver.Input;

namespace Quiver.Strategies;

/// <summary>
/// A concurrency model: decides how many fetches run at once and where (the calling thread, OS
/// threads, tasks, worker processes). Every strategy yields exactly one result per input item, in
/// the order they finish, and never throws for a per-URL failure.
/// </summary>
public interface IFetchStrategy : IDisposable
{
    /// <summary>The name used on the command line and in reports.</summary>
    string Name { get; }

    /// <summary>Fetches every item of <paramref name="requests"/>, reading it lazily.</summary>
    IAsyncEnumerable<FetchResult> RunAsync(IAsyncEnumerable<UrlRequest> requests, CancellationToken cancellationToken = default);
}
