using Quiver.Fetching;
using Quiver.Running;

namespace Quiver.Cli.Terminal;

/// <summary>
/// How every fetching command shows a run: live progress on stderr while it runs, then, unless quiet,
/// the end-of-run summary (what happened, how fast, how long the tail was) and the exit code: 130 when
/// it was stopped (Ctrl-C, SIGTERM) with its finished results kept, 0 otherwise.
/// </summary>
internal static class ReportedRun
{
    /// <summary>
    /// Runs <paramref name="run"/> under progress and reports it as <paramref name="name"/> (a strategy, or "crawl").
    /// <paramref name="lastLine"/>, given whether the run was stopped, adds a line after the summary.
    /// </summary>
    public static async Task<int> RunAsync(
        string name, RunStatistics statistics, bool show, Func<Task> run, CancellationToken cancellationToken, Func<bool, string>? lastLine = null)
    {
        await using (ProgressReporter.Start(statistics, show))
        {
            await run();
        }
        bool stopped = cancellationToken.IsCancellationRequested;
        if (show)
        {
            PrintSummary(Console.Error, name, statistics, stopped);
            if (lastLine is not null) Console.Error.WriteLine(lastLine(stopped));
        }
        return stopped ? CliHost.Interrupted : CliHost.Ok;
    }

    private static void PrintSummary(TextWriter error, string name, RunStatistics s, bool stopped)
    {
        error.WriteLine($"quiver: {(stopped ? "stopped" : "done")}: {s.Completed:N0} results in {s.Elapsed.TotalSeconds:0.00}s with '{name}', {s.RequestsPerSecond:N1} requests/s");
        string classes = string.Join(", ", s.ByStatusClass.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:N0}"));
        error.WriteLine($"  status:  {(classes.Length == 0 ? "-" : classes)}");
        string errors = string.Join(", ", s.ByError.OrderByDescending(p => p.Value).Select(p => $"{p.Key.ToWireName()} {p.Value:N0}"));
        error.WriteLine($"  errors:  {(errors.Length == 0 ? "none" : errors)}");
        if (s.Latency.Count > 0)
            error.WriteLine($"  latency: p50 {s.Latency.Percentile(50):0.0} ms, p95 {s.Latency.Percentile(95):0.0} ms, p99 {s.Latency.Percentile(99):0.0} ms");
    }
}
