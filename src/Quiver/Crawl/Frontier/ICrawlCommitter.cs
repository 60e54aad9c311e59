using Quiver.Fetching;
using Quiver.State;

namespace Quiver.Crawl.Frontier;

/// <summary>
/// The crawl's one commit: finished pages are added to a batch (their results written to the output
/// at once, not yet durable), and the batch is made durable in one step: the output flushed, then the
/// WARC flushed, then the state committed (each page's result and the URLs admitted with it, in one
/// transaction). Output before state is what makes a kill safe at any instant: a page whose result is
/// committed is always in the output, and a repair drops output lines that were never committed.
/// </summary>
/// <remarks>
/// Called from one loop only (the crawler's committer), never concurrently. <see cref="SqliteCrawlCommitter"/>
/// is the single-machine implementation.
/// </remarks>
public interface ICrawlCommitter
{
    /// <summary>
    /// Adds a finished page to the open batch: writes its result to the output now. Not durable until
    /// <see cref="CommitAsync"/>; a page added and not committed is pending again after a restart.
    /// </summary>
    /// <returns>How many pages the open batch holds, so the caller can commit a full batch.</returns>
    ValueTask<int> AddAsync(FrontierItem page, FetchResult result, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the open batch durable: output, WARC, then state. After it returns, every page added
    /// since the last commit is done (keyed by its frontier id and URL) and the batch is empty.
    /// Idempotent by key: a page committed again (fetched twice around a crash) keeps one result.
    /// Committing an empty batch still makes pending admissions durable.
    /// </summary>
    /// <returns>How many pages became done.</returns>
    ValueTask<int> CommitAsync(CancellationToken cancellationToken);

    /// <summary>Records that the crawl reached its end: nothing pending, and the run was not stopped. Called after the last commit.</summary>
    ValueTask FinishAsync(CancellationToken cancellationToken);
}
