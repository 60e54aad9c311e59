using Quiver.State;

namespace Quiver.Crawl.Frontier;

/// <summary>
/// The crawl's frontier: the seen set, what is pending for each host, and the admission rules (scope,
/// depth cap, page cap). The crawler asks it for work host by host and hands it what each finished
/// page revealed; it never holds URLs of its own. <see cref="SqliteCrawlFrontier"/> is the
/// single-machine implementation; a durable, shared store (a database several machines lease from)
/// implements the same contract.
/// </summary>
/// <remarks>
/// Words used by the contract: a URL is <b>seen</b> once it is admitted (it has an id, and is never
/// admitted again, whatever page links to it); it is <b>pending</b> from admission until it is
/// <b>done</b>, which is when its result is committed by the <see cref="ICrawlCommitter"/>. A URL
/// that was leased but never committed (the process was stopped or died) is pending again the next
/// time the frontier is opened, so it is fetched again: at-least-once fetching, exactly-once results.
/// Calls come from several worker loops at once (<see cref="LeaseAsync"/>) and from one committer
/// loop (<see cref="AdmitAsync"/>); implementations are thread-safe.
/// </remarks>
public interface ICrawlFrontier
{
    /// <summary>
    /// Opens the frontier for a run. A new frontier admits the seeds (the seeds are its first seen
    /// URLs, at depth 0); an existing one (a resumed crawl) keeps what it holds and admits nothing.
    /// Idempotent: opening twice admits the seeds once.
    /// </summary>
    /// <returns>How many URLs are already done, and the pending URLs whose hosts the crawler should start work on.</returns>
    ValueTask<FrontierOpening> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Admits, in one batch, what a finished page revealed: the target of a redirect to another host
    /// (at the page's depth, since a redirect is not a link followed) and the links of its body (at
    /// depth + 1). A URL is admitted when it is in scope, not seen, within the depth cap and while the
    /// page cap leaves room; each admitted URL gets the next id and becomes pending for its host. A
    /// seed's final URL and redirect target widen a host scope (a site that moved is still the site).
    /// </summary>
    /// <remarks>
    /// Idempotent per URL: links already seen are skipped, so a page whose links are admitted twice
    /// (its result was lost and it was fetched again) adds nothing the second time. An implementation
    /// may make admissions durable at once or with the next commit of the page that revealed them,
    /// but never later than that commit: a done page's links are never lost.
    /// </remarks>
    /// <returns>The URLs admitted, in admission order: the crawler wakes their hosts.</returns>
    ValueTask<IReadOnlyList<FrontierItem>> AdmitAsync(PageLinks page, CancellationToken cancellationToken);

    /// <summary>
    /// Leases the next pending URL of one host (by <see cref="UrlNormalizer.HostKey"/>), in admission
    /// order; null when the host has nothing pending that is not already leased. A leased URL is
    /// handed to no other caller until the lease ends, which is when its result is committed (it is
    /// done) or the run ends without committing it (it is pending again at the next open).
    /// </summary>
    ValueTask<FrontierItem?> LeaseAsync(string hostKey, CancellationToken cancellationToken);
}
