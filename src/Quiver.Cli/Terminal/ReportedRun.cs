using Quiver.Concurrency;
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
    /// <paramref name="width"/>, under <c>--concurrency auto</c>, gives the width's path for progress and summary.
    /// </summary>
    public static async Task<int> RunAsync(
        string name, RunStatistics statistics, bool show, Func<Task> run, CancellationToken cancellationToken, Func<bool, string>? lastLine = null,
        Func<WidthReport?>? width = null)
    {
        await using (ProgressReporter.Start(statistics, show, width))
        {
            await run();
        }
        bool stopped = cancellationToken.IsCancellationRequested;
        if (show)
        {
            PrintSummary(Console.Error, name, statistics, stopped);
            if (width?.Invoke() is { } path) Console.Error.WriteLine(DescribeWidth(path));
            if (lastLine is not null) Console.Error.WriteLine(lastLine(stopped));
        }
        return stopped ? CliHost.Interrupted : CliHost.Ok;
    }

    /// <summary>The summary line of an adaptive width: where it started, how wide it went, where it ended, and why.</summary>
    internal static string DescribeWidth(WidthReport w) =>
        $"  width:   auto: start {w.Start}, peak {w.Peak}, final {w.Current} ({w.Changes} changes; last: {w.LastReason})";

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
