using Quiver.Fetching;
using Quiver.Output;
using Quiver.Output.Warc;
using Quiver.State;

namespace Quiver.Crawl.Frontier;

/// <summary>
/// The single-machine commit: results go to the JSON-lines output as they are added; a commit flushes
/// the output, then the WARC, then writes the batch's results and the frontier's new admissions to
/// the state file in one transaction, with the WARC's length (a resume cuts the WARC back to it).
/// </summary>
public sealed class SqliteCrawlCommitter(SqliteCrawlFrontier frontier, JsonLinesResultWriter writer, WarcWriter? warc) : ICrawlCommitter
{
    private readonly SqliteCrawlFrontier _frontier = frontier ?? throw new ArgumentNullException(nameof(frontier));
    private readonly JsonLinesResultWriter _writer = writer ?? throw new ArgumentNullException(nameof(writer));
    private readonly List<(long Id, string Json)> _batch = [];

    /// <inheritdoc/>
    public ValueTask<int> AddAsync(FrontierItem page, FetchResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        _batch.Add((page.Id, _writer.WriteAndGetJson(result)));
        return ValueTask.FromResult(_batch.Count);
    }

    /// <inheritdoc/>
    public async ValueTask<int> CommitAsync(CancellationToken cancellationToken)
    {
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        long? warcLength = warc is null ? null : await warc.FlushAsync(cancellationToken).ConfigureAwait(false);
        _frontier.State.Commit(_frontier.TakeAdmitted(), _batch, warcLength);
        int done = _batch.Count;
        _batch.Clear();
        return done;
    }

    /// <inheritdoc/>
    public ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        _frontier.State.Database.SetMeta(MetaKeys.Finished, "1");
        return ValueTask.CompletedTask;
    }
}
