using Quiver.Fetching;
using Quiver.State;

namespace Quiver.Crawl.Frontier;

/// <summary>
/// The single-machine commit: results go to the run's JSON-lines output as they are added; a commit
/// is the <see cref="RunStore"/>'s one commit (output, WARC, state), whose state step writes the
/// batch's results and the frontier's new admissions to the state file in one transaction.
/// </summary>
public sealed class SqliteCrawlCommitter(SqliteCrawlFrontier frontier, RunStore store) : ICrawlCommitter
{
    private readonly SqliteCrawlFrontier _frontier = frontier ?? throw new ArgumentNullException(nameof(frontier));
    private readonly RunStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly List<(long Id, string Json)> _batch = [];

    /// <inheritdoc/>
    public ValueTask<int> AddAsync(FrontierItem page, FetchResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        _batch.Add((page.Id, _store.Writer.WriteAndGetJson(result)));
        return ValueTask.FromResult(_batch.Count);
    }

    /// <inheritdoc/>
    public async ValueTask<int> CommitAsync(CancellationToken cancellationToken)
    {
        await _store.CommitAsync(warcLength => _frontier.State.Commit(_frontier.TakeAdmitted(), _batch, warcLength)).ConfigureAwait(false);
        int done = _batch.Count;
        _batch.Clear();
        return done;
    }

    /// <inheritdoc/>
    public ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        _store.Finish();
        return ValueTask.CompletedTask;
    }
}
