using System.Globalization;

namespace Quiver.Cli.Race;

/// <summary>
/// Reads the measured figures and says which strategy to use for this workload, at what
/// concurrency, and why — derived from the numbers of this run, not from a fixed rule.
/// </summary>
internal static class RaceRecommendation
{
    /// <summary>Within this fraction of the fastest, a strategy counts as equally fast.</summary>
    private const double Tie = 0.10;

    public static IReadOnlyList<string> For(IReadOnlyList<ListFigures> lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var lines = new List<string>();
        foreach (var list in lists)
        {
            if (list.Strategies.Count == 0) continue;
            var ranked = Complete(list).OrderBy(s => s.WallMedianSeconds).ToList();
            var winner = ranked[0];
            string bound = winner.WallOverLimit is { } ratio ? $", {F(ratio, 2)}× the limit of {F(list.LimitSeconds!.Value, 3)} s" : "";
            string line = $"{list.Name}: {winner.Strategy} (concurrency {winner.Concurrency}) is fastest at {F(winner.WallMedianSeconds, 3)} s{bound}";
            if (ranked.Count > 1)
            {
                line += "; then " + string.Join(", ", ranked.Skip(1).Select(s =>
                    $"{s.Strategy} {F(s.WallMedianSeconds / winner.WallMedianSeconds, 1)}× as long"));
            }
            lines.Add(line + ".");
            foreach (var lossy in list.Strategies.Except(ranked).OrderBy(s => s.WallMedianSeconds))
            {
                lines.Add($"  {lossy.Strategy} (concurrency {lossy.Concurrency}) ended in {F(lossy.WallMedianSeconds, 3)} s but fetched {lossy.Ok} URLs where others fetched {winner.Ok}: " +
                    "a run that drops URLs (timeouts under its own load) is not faster, so it is not ranked.");
            }

            if (list.TotalWorkSeconds is { } work && list.LimitSeconds is { } limit && list.ConcurrencyNeeded is { } needed)
            {
                // Little's law: finishing W seconds of waiting in T seconds needs W/T requests in flight on average.
                var starved = ranked.Where(s => s.InFlight < needed).Select(s =>
                    $"{s.Strategy} ({s.InFlight} at once) cannot finish before {F(work / s.InFlight, 2)} s");
                string why = $"  Why: the list holds {F(work, 2)} s of waiting (the sequential sum); finishing at the limit needs about {F(needed, 1)} requests in flight on average.";
                string starvedText = string.Join("; ", starved);
                lines.Add(starvedText.Length > 0 ? $"{why} {Capitalise(starvedText)}." : why);
            }
        }

        var main = lists.Where(l => l.Strategies.Count > 0).MaxBy(l => l.Urls);
        if (main is null) return lines;
        var best = Complete(main).MinBy(s => s.WallMedianSeconds)!;
        var equals = Complete(main).Where(s => s != best && s.WallMedianSeconds <= best.WallMedianSeconds * (1 + Tie)).ToList();
        string advice = $"Recommendation for this workload ({main.Name}, {main.Urls} URLs): {best.Strategy} at concurrency {best.Concurrency}";
        if (main.ConcurrencyNeeded is { } need)
        {
            int target = (int)Math.Ceiling(need * 2);
            advice += best.InFlight >= need * 2
                ? $" — its {best.InFlight} requests in flight cover the ≈{F(need, 0)} the work needs twice over (the slow tail holds slots long)"
                : $" — raise it towards {target}: the {best.InFlight} requests it keeps in flight are short of twice the ≈{F(need, 0)} the work needs";
            if (best.WallOverLimit is { } r) advice += $"; it already finishes at {F(r, 2)}× the limit";
        }
        lines.Add(advice + ".");
        var cheaper = equals.Where(s => s.PeakMemoryBytes < best.PeakMemoryBytes || s.CpuSeconds < best.CpuSeconds).ToList();
        foreach (var other in cheaper)
        {
            lines.Add($"  {other.Strategy} is as fast within {Tie:P0} ({F(other.WallMedianSeconds, 3)} s) with {Mb(other.PeakMemoryBytes)} peak memory and {F(other.CpuSeconds ?? 0, 2)} s CPU " +
                $"against {Mb(best.PeakMemoryBytes)} and {F(best.CpuSeconds ?? 0, 2)} s: an equal choice where those matter.");
        }
        return lines;
    }

    /// <summary>The strategies that fetched as many URLs as the best of them: only these are compared on time.</summary>
    private static IEnumerable<StrategyFigures> Complete(ListFigures list)
    {
        int mostOk = list.Strategies.Max(s => s.Ok);
        return list.Strategies.Where(s => s.Ok == mostOk);
    }

    internal static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0):0} MiB";

    private static string F(double value, int digits) => value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
