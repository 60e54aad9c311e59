using Quiver.Cluster.Jobs;

namespace Quiver.Cluster.Client;

/// <summary>A job to submit (or re-attach to) and where its results go.</summary>
public sealed record ClusterJobRequest
{
    /// <summary>The job's unique name; a client re-attaches to a job by it.</summary>
    public required string Name { get; init; }

    public required JobSpec Spec { get; init; }

    /// <summary>For a fetch, the URL list (a URL a line, blank and # lines skipped); for a crawl, read from <see cref="JobSpec.Crawl"/>'s seeds.</summary>
    public Stream? List { get; init; }

    /// <summary>The JSON-lines file the results are written to, each URL once.</summary>
    public required string OutputPath { get; init; }

    /// <summary>Re-attach to the job of this name (after the client was stopped or killed) instead of submitting it.</summary>
    public bool Resume { get; init; }

    /// <summary>How often the client reads newly committed results. Default 250 ms.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>What a finished job wrote.</summary>
/// <param name="Job">The job's id in the jobs table.</param>
/// <param name="Written">Result lines this client wrote (after the repair, on a resume).</param>
/// <param name="Repaired">On a resume, what the output repair did; null otherwise.</param>
/// <param name="Elapsed">From submitting (or re-attaching) to the last result written.</param>
public sealed record ClusterJobOutcome(long Job, long Written, Quiver.Output.JsonLinesRepair.Outcome? Repaired, TimeSpan Elapsed);
