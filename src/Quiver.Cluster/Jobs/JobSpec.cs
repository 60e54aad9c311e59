using System.Text.Json;
using System.Text.Json.Serialization;
using Quiver.Crawl;

namespace Quiver.Cluster.Jobs;

/// <summary>What a job is: a crawl (follows links within its settings' scope) or a list fetch.</summary>
public enum JobKind
{
    Crawl,
    Fetch,
}

/// <summary>How a host grain is keyed: by host (name and port), or by registrable domain, so one grain paces all of a domain's hosts.</summary>
public enum GrainScope
{
    Host,
    Domain,
}

/// <summary>
/// A job as every silo reads it from the jobs table: what to follow and how politely. The fetch
/// settings (timeouts, TLS, resolve) are each silo's own, as they describe the machine, not the job.
/// </summary>
public sealed record JobSpec
{
    public JobKind Kind { get; init; } = JobKind.Crawl;

    /// <summary>Scope, depth and patterns of a crawl; seeds only for a fetch.</summary>
    public CrawlSettings Crawl { get; init; } = new();

    public GrainScope GrainScope { get; init; } = GrainScope.Host;

    /// <summary>Milliseconds between requests to one grain's host(s).</summary>
    public int PerHostDelayMs { get; init; } = 1000;

    /// <summary>Requests in flight to one grain's host(s) at once.</summary>
    public int PerHostConcurrency { get; init; } = 1;

    public bool RespectRobots { get; init; } = true;

    /// <summary>URLs of a host that may fail before the rest of it is skipped.</summary>
    public int HostErrorBudget { get; init; } = 20;

    /// <summary>The politeness every silo applies to this job's hosts.</summary>
    internal PolitenessOptions Politeness() => new PolitenessOptions
    {
        PerHostDelay = TimeSpan.FromMilliseconds(PerHostDelayMs),
        PerHostConcurrency = PerHostConcurrency,
        RespectRobots = RespectRobots,
        HostErrorBudget = HostErrorBudget,
    }.Validate();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public JobSpec Validate()
    {
        if (Kind == JobKind.Crawl) Crawl.Validate();
        if (PerHostDelayMs < 0) throw new ArgumentException("per-host delay must not be negative");
        _ = Politeness();
        return this;
    }

    internal string ToJson() => JsonSerializer.Serialize(this, JobJsonContext.Default.JobSpec);

    internal static JobSpec FromJson(string json) =>
        JsonSerializer.Deserialize(json, JobJsonContext.Default.JobSpec) ?? throw new FormatException("null job spec");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(JobSpec))]
internal sealed partial class JobJsonContext : JsonSerializerContext;
