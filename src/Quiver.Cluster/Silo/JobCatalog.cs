using System.Collections.Concurrent;
using Quiver.Cluster.Frontier;
using Quiver.Cluster.Jobs;
using Quiver.Crawl;

namespace Quiver.Cluster.Silo;

/// <summary>A job as a silo uses it: its spec, politeness and crawl scope, read once from the jobs table.</summary>
internal sealed class JobContext(long id, JobSpec spec, PolitenessOptions politeness, CrawlScope scope)
{
    public long Id { get; } = id;

    public JobSpec Spec { get; } = spec;

    public PolitenessOptions Politeness { get; } = politeness;

    /// <summary>The crawl's scope on this node; lock it to use it (pages finish on many threads).</summary>
    public CrawlScope Scope { get; } = scope;

    /// <summary>Seed hosts (seeds' redirect targets) this node has looked up in the database, found or not.</summary>
    public HashSet<string> SeedHostsChecked { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>This silo's cache of jobs; a job's spec never changes once submitted.</summary>
internal sealed class JobCatalog(PostgresFrontier frontier)
{
    private readonly ConcurrentDictionary<long, Lazy<Task<JobContext>>> _jobs = new();

    public Task<JobContext> GetAsync(long job, CancellationToken cancellationToken)
    {
        var entry = _jobs.GetOrAdd(job, id => new Lazy<Task<JobContext>>(() => LoadAsync(id, cancellationToken)));
        var task = entry.Value;
        // A failed read (the database was away) is not cached.
        if (task.IsFaulted) _jobs.TryRemove(KeyValuePair.Create(job, entry));
        return task;
    }

    private async Task<JobContext> LoadAsync(long job, CancellationToken cancellationToken)
    {
        var spec = await frontier.JobSpecAsync(job, cancellationToken).ConfigureAwait(false);
        var scope = new CrawlScope(spec.Crawl);
        foreach (string host in await frontier.SeedHostsAsync(job, cancellationToken).ConfigureAwait(false))
            scope.AddSeedDestination(new Uri($"http://{host}/"));
        return new JobContext(job, spec, spec.Politeness(), scope);
    }
}
