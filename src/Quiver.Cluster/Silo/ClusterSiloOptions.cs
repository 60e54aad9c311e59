using Quiver.Fetching;

namespace Quiver.Cluster.Silo;

/// <summary>One silo's settings: where the cluster's database is and how much this machine fetches at once. Validated once by <see cref="Validate"/>.</summary>
public sealed record ClusterSiloOptions
{
    /// <summary>The PostgreSQL connection string (Npgsql syntax) holding membership, frontier and results.</summary>
    public string ConnectionString { get; init; } = "";

    /// <summary>Requests in flight on this silo across all its hosts: the machine's width. Default 64.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>URLs a host grain keeps leased beyond its per-host concurrency (its window). Default 4.</summary>
    public int HostWindow { get; init; } = 4;

    /// <summary>How long a lease lasts before another activation may take the URL. Default 2 min.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often this silo looks for hosts with work nobody is doing, and writes its heartbeat. Default 5 s.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The fetch settings of this machine (timeouts, TLS, resolve, User-Agent).</summary>
    public FetchOptions Fetch { get; init; } = new();

    public ClusterSiloOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString)) throw new ArgumentException("a database connection string is needed (--db)");
        if (Concurrency < 1) throw new ArgumentException("concurrency must be at least 1");
        if (HostWindow < 1) throw new ArgumentException("host window must be at least 1");
        if (LeaseDuration <= TimeSpan.Zero) throw new ArgumentException("lease duration must be positive");
        if (SweepInterval <= TimeSpan.Zero) throw new ArgumentException("sweep interval must be positive");
        Fetch.Validate();
        return this;
    }
}
