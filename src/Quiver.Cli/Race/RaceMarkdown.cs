using System.Globalization;
using System.Text;

namespace Quiver.Cli.Race;

/// <summary>race.md, and the same text for the terminal: the seed's lines, the table, the recommendation.</summary>
internal static class RaceMarkdown
{
    public static string Render(RaceReport report, bool withChart)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = report.Conditions;
        var md = new StringBuilder();
        md.AppendLine("# Quiver race").AppendLine();
        md.AppendLine(Invariant($"`{c.Command}` — {report.Started:yyyy-MM-dd HH:mm} UTC, {c.ProcessorCount} cores, {c.Os}, {c.Runtime}; the race took {report.ElapsedSeconds:0} s."));
        md.AppendLine();
        md.AppendLine(c.Live
            ? Invariant($"Live internet; client timeout {c.ClientTimeoutSeconds:0.###} s; {c.Repeat} runs per strategy (median, min–max), each in a fresh process.")
            : Invariant($"Simulated web: seed {c.Seed}, time scale {c.TimeScale:0.###} (every delay × {c.TimeScale:0.###}), client timeout {c.ClientTimeoutSeconds:0.###} s; {c.Repeat} runs per strategy (median, min–max), each in a fresh process after one uncounted warm-up run."));
        foreach (var list in report.Lists)
        {
            md.AppendLine();
            md.Append(Invariant($"## {list.Name} ({list.Urls} URLs)"));
            if (list.LimitSeconds is { } limit)
                md.Append(Invariant($": limit {limit:0.000} s, total work {list.TotalWorkSeconds:0.00} s"));
            md.AppendLine().AppendLine();
            md.AppendLine("```");
            foreach (var s in list.Strategies) md.AppendLine(Invariant($"Function '{s.Strategy}' executed in {s.WallMedianSeconds:0.0000}s"));
            md.AppendLine("```").AppendLine();
            AppendTable(md, list.Strategies);
            if (list.Tuning is { Count: > 0 } tuning)
            {
                md.AppendLine().AppendLine(Invariant($"Tuning: {tuning[0].Strategy}, the fastest, again at other concurrencies on the same list:")).AppendLine();
                AppendTable(md, tuning);
            }
        }
        md.AppendLine().AppendLine("## Recommendation").AppendLine();
        foreach (string line in report.Recommendation)
            md.AppendLine(line.StartsWith("  ", StringComparison.Ordinal) ? "  " + line.TrimStart() : "- " + line);
        if (withChart) md.AppendLine().AppendLine("![wall time per strategy, with the limit](race.png)");
        return md.ToString();
    }

    private static void AppendTable(StringBuilder md, IEnumerable<StrategyFigures> rows)
    {
        md.AppendLine("| strategy | concurrency | wall s (median, min–max) | ok / failed | requests/s | p50 ms | p95 ms | wall ÷ limit | peak memory | CPU s | sim CPU s |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in rows)
        {
            string inFlight = s.InFlight != s.Concurrency ? Invariant($" ({s.InFlight} in flight)") : "";
            string width = RaceRecommendation.IsAuto(s) ? Invariant($"auto (peak {s.InFlight}, final {s.Concurrency})") : Invariant($"{s.Concurrency}{inFlight}");
            md.Append(Invariant($"| {s.Strategy} | {width} | {s.WallMedianSeconds:0.000} ({s.WallMinSeconds:0.000}–{s.WallMaxSeconds:0.000}) | {s.Ok} / {s.Failed} | {s.RequestsPerSecond:0.0} "));
            md.AppendLine(Invariant($"| {Opt(s.LatencyP50Ms, "0.0")} | {Opt(s.LatencyP95Ms, "0.0")} | {Opt(s.WallOverLimit, "0.00")} | {RaceRecommendation.Mb(s.PeakMemoryBytes)} | {Opt(s.CpuSeconds, "0.00")} | {Opt(s.SimCpuSeconds, "0.00")} |"));
        }
    }

    private static string Opt(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
