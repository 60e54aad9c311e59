using System.Diagnostics;
using System.Text;
using Npgsql;
using Quiver.Cluster.Grains;
using Quiver.Cluster.Jobs;
using Quiver.Crawl;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Output;

namespace Quiver.Cluster.Client;

/// <summary>
/// The client side of a job: submits it (or re-attaches to it), wakes the grains of its first hosts,
/// then streams committed results into the output file, window by window (see <see cref="ClusterResults"/>),
/// until no URL of the job is left undone. The silos do the work; this process can be killed and
/// re-attached at any point, and the output ends with each URL exactly once.
/// </summary>
public sealed class ClusterJobRunner(NpgsqlDataSource dataSource, IGrainFactory grains)
{
    private readonly ClusterJobs _jobs = new(dataSource);

    public async Task<ClusterJobOutcome> RunAsync(ClusterJobRequest request, IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        var spec = request.Spec.Validate();
        long? existing = await _jobs.FindAsync(request.Name, cancellationToken).ConfigureAwait(false);
        long job;
        if (request.Resume)
        {
            job = existing ?? throw new ArgumentException($"no job named {request.Name} to resume");
            foreach (string host in await _jobs.OpenHostsAsync(job, cancellationToken).ConfigureAwait(false)) Wake(job, host);
        }
        else
        {
            if (existing is not null) throw new ArgumentException($"a job named {request.Name} exists: pass --resume to re-attach to it");
            var (urls, invalid) = await FirstUrlsAsync(request, spec, cancellationToken).ConfigureAwait(false);
            (job, var hosts) = await _jobs.SubmitAsync(request.Name, spec, urls, invalid, cancellationToken).ConfigureAwait(false);
            foreach (string host in hosts) Wake(job, host);
        }

        var results = new ClusterResults(dataSource, job);
        ulong from = 0;
        JsonLinesRepair.Outcome? repaired = null;
        if (request.Resume)
        {
            from = await results.WatermarkAsync(cancellationToken).ConfigureAwait(false);
            repaired = JsonLinesRepair.Repair(request.OutputPath, results.Below(from));
        }
        long written = repaired is { } r ? r.Kept + r.Added : 0;
        await using var output = new FileStream(request.OutputPath, request.Resume ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read);
        byte[] newLine = "\n"u8.ToArray();
        while (true)
        {
            // The progress is read before the watermark: when it shows nothing open, every result's
            // transaction has ended, so the window read next holds the last of them.
            var state = await _jobs.ProgressAsync(job, cancellationToken).ConfigureAwait(false);
            ulong to = await results.WatermarkAsync(cancellationToken).ConfigureAwait(false);
            await foreach (var (_, json) in results.ReadAsync(from, to, cancellationToken).ConfigureAwait(false))
            {
                output.Write(Encoding.UTF8.GetBytes(json));
                output.Write(newLine);
                written++;
            }
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            from = to;
            progress?.Report(state);
            if (state.Done == state.Admitted) break;
            await Task.Delay(request.PollInterval, cancellationToken).ConfigureAwait(false);
        }
        await _jobs.FinishAsync(job, cancellationToken).ConfigureAwait(false);
        return new ClusterJobOutcome(job, written, repaired, Stopwatch.GetElapsedTime(started));
    }

    private void Wake(long job, string host)
    {
        if (host.Length > 0) grains.GetGrain<IHostGrain>(GrainKeys.GrainKey(job, host)).Wake().Ignore();
    }

    /// <summary>A crawl's normalised seeds, or a list's lines with their line numbers (lines that are no URL become results at once).</summary>
    private static async Task<(List<(long?, Uri)>, List<(long, string, string)>)> FirstUrlsAsync(ClusterJobRequest request, JobSpec spec, CancellationToken cancellationToken)
    {
        var urls = new List<(long?, Uri)>();
        var invalid = new List<(long, string, string)>();
        if (spec.Kind == JobKind.Crawl)
        {
            foreach (string seed in spec.Crawl.Seeds)
            {
                if (UrlNormalizer.Normalize(seed) is { } url) urls.Add((null, url));
            }
            return (urls, invalid);
        }
        var list = request.List ?? throw new ArgumentException("a fetch job needs a URL list");
        await foreach (var line in UrlListReader.ReadAsync(list, cancellationToken).ConfigureAwait(false))
        {
            if (line.Uri is { } uri)
            {
                urls.Add((line.Line, uri));
            }
            else
            {
                var result = new FetchResult { Line = line.Line, Url = line.Text }.Fail(FetchErrorKind.InvalidUrl, line.InvalidReason ?? "not a URL");
                invalid.Add((line.Line, line.Text, JsonLinesResultWriter.ToJson(result)));
            }
        }
        return (urls, invalid);
    }
}
