using Quiver.Fetching;
using Quiver.Running;

namespace Quiver.Cli.Terminal;

/// <summary>The end-of-run summary on stderr: what happened, how fast, how long the tail was.</summary>
internal static class SummaryPrinter
{
    public static void Print(TextWriter error, string strategy, RunStatistics s, bool stopped)
    {
        error.WriteLine($"quiver: {(stopped ? "stopped" : "done")}: {s.Completed:N0} results in {s.Elapsed.TotalSeconds:0.00}s with '{strategy}', {s.RequestsPerSecond:N1} requests/s");
        string classes = string.Join(", ", s.ByStatusClass.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:N0}"));
        error.WriteLine($"  status:  {(classes.Length == 0 ? "-" : classes)}");
        string errors = string.Join(", ", s.ByError.OrderByDescending(p => p.Value).Select(p => $"{p.Key.ToWireName()} {p.Value:N0}"));
        error.WriteLine($"  errors:  {(errors.Length == 0 ? "none" : errors)}");
        if (s.Latency.Count > 0)
            error.WriteLine($"  latency: p50 {s.Latency.Percentile(50):0.0} ms, p95 {s.Latency.Percentile(95):0.0} ms, p99 {s.Latency.Percentile(99):0.0} ms");
    }
}
