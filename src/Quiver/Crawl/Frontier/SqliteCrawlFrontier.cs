using Quiver.State;

namespace Quiver.Crawl.Frontier;

/// <summary>
/// The single-machine frontier: the seen set and each host's queue in memory, the rows in the state
/// file's <c>frontier</c> table (<see cref="CrawlState"/>). Admissions are made durable by the
/// <see cref="SqliteCrawlCommitter"/>, in the same transaction as the page that revealed them, so the
/// file never holds a done page whose links are missing, nor a link without the page that revealed it.
/// </summary>
/// <remarks>Leases are not recorded: every URL without a committed result is pending when the file is opened again.</remarks>
public sealed class SqliteCrawlFrontier : ICrawlFrontier
{
    private readonly CrawlSettings _settings;
    private readonly CrawlScope _scope;
    private readonly Lock _queues = new();
    private readonly Dictionary<string, Queue<FrontierItem>> _pending = new(StringComparer.Ordinal);
    // Touched by OpenAsync and AdmitAsync only, which the crawler calls from one loop.
    private HashSet<string> _seen = new(StringComparer.Ordinal);
    private List<FrontierItem> _admitted = [];
    private long _nextId = 1;

    public SqliteCrawlFrontier(CrawlState state, CrawlSettings settings)
    {
        State = state ?? throw new ArgumentNullException(nameof(state));
        _settings = (settings ?? throw new ArgumentNullException(nameof(settings))).Validate();
        _scope = new CrawlScope(settings);
    }

    /// <summary>The state file's frontier table this frontier reads and the committer writes.</summary>
    public CrawlState State { get; }

    /// <inheritdoc/>
    public ValueTask<FrontierOpening> OpenAsync(CancellationToken cancellationToken)
    {
        var snapshot = State.Load();
        _seen = snapshot.Seen;
        _nextId = snapshot.NextId;
        foreach (string final in State.SeedFinalUrls())
            _scope.AddSeedDestination(new Uri(final));

        IReadOnlyList<FrontierItem> pending = snapshot.Pending;
        if (_seen.Count == 0)
        {
            var seeds = new List<FrontierItem>();
            foreach (string seed in _settings.Seeds)
            {
                if (UrlNormalizer.Normalize(seed) is { } url && _seen.Add(url.AbsoluteUri))
                    seeds.Add(new FrontierItem(_nextId++, url, 0, null));
            }
            State.Commit(seeds, [], null);
            pending = seeds;
        }
        lock (_queues)
        {
            foreach (var item in pending) QueueFor(item).Enqueue(item);
        }
        return ValueTask.FromResult(new FrontierOpening(snapshot.Completed, pending));
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<FrontierItem>> AdmitAsync(PageLinks page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var from = page.Page;
        int before = _admitted.Count;
        if (from.Depth == 0 && page.FinalUrl is { } seedFinal)
            _scope.AddSeedDestination(new Uri(seedFinal));
        if (page.RedirectTo is { } redirect && UrlNormalizer.Normalize(new Uri(redirect).AbsoluteUri) is { } target)
        {
            // A seed's redirect target counts as a seed destination, as when the fetcher followed the redirect itself.
            if (from.Depth == 0) _scope.AddSeedDestination(target);
            TryAdmit(target, from.Depth, from.Url.AbsoluteUri);
        }
        int depth = from.Depth + 1;
        if (page.Links.Count > 0 && (_settings.MaxDepth is not { } maxDepth || depth <= maxDepth))
        {
            foreach (var link in page.Links)
            {
                if (!TryAdmit(link, depth, from.Url.AbsoluteUri)) break;
            }
        }
        IReadOnlyList<FrontierItem> added = _admitted.Count == before ? [] : _admitted[before..];
        return ValueTask.FromResult(added);
    }

    /// <inheritdoc/>
    public ValueTask<FrontierItem?> LeaseAsync(string hostKey, CancellationToken cancellationToken)
    {
        lock (_queues)
        {
            return ValueTask.FromResult(_pending.TryGetValue(hostKey, out var queue) && queue.TryDequeue(out var item) ? item : null);
        }
    }

    /// <summary>The URLs admitted since the last call, for the committer to write with the pages that revealed them.</summary>
    internal List<FrontierItem> TakeAdmitted()
    {
        var admitted = _admitted;
        _admitted = [];
        return admitted;
    }

    /// <summary>Queues <paramref name="url"/> if in scope and unseen; false once the page cap is reached.</summary>
    private bool TryAdmit(Uri url, int depth, string referrer)
    {
        if (_settings.MaxPages is { } maxPages && _seen.Count >= maxPages) return false;
        if (!_scope.Allows(url) || !_seen.Add(url.AbsoluteUri)) return true;
        var item = new FrontierItem(_nextId++, url, depth, referrer);
        _admitted.Add(item);
        lock (_queues) QueueFor(item).Enqueue(item);
        return true;
    }

    private Queue<FrontierItem> QueueFor(FrontierItem item)
    {
        string key = UrlNormalizer.HostKey(item.Url);
        if (!_pending.TryGetValue(key, out var queue)) _pending[key] = queue = new Queue<FrontierItem>();
        return queue;
    }
}
