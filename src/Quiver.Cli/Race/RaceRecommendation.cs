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

    /// <summary>Machine utilisation from which a run counts as bound by the CPU rather than by its width.</summary>
    private const double CpuBound = 0.8;

    /// <summary>The row of async with <c>--concurrency auto</c>.</summary>
    public const string AutoName = "async auto";

    public static bool IsAuto(StrategyFigures row) => row.Strategy == AutoName;

    /// <summary>How a row ran: its fixed width, or auto's path (the widest it went, where it ended).</summary>
    internal static string Setting(StrategyFigures row) =>
        IsAuto(row) ? $"concurrency auto: peak {row.InFlight}, final {row.Concurrency}" : $"concurrency {row.Concurrency}";

    public static IReadOnlyList<string> For(IReadOnlyList<ListFigures> lists, int processorCount)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var lines = new List<string>();
        foreach (var list in lists)
        {
            if (list.Strategies.Count == 0) continue;
            var ranked = Complete(list.Strategies).OrderBy(s => s.WallMedianSeconds).ToList();
            var winner = ranked[0];
            string bound = winner.WallOverLimit is { } ratio ? $", {F(ratio, 2)}× the limit of {F(list.LimitSeconds!.Value, 3)} s" : "";
            string line = $"{list.Name}: {winner.Strategy} ({Setting(winner)}) is fastest at {F(winner.WallMedianSeconds, 3)} s{bound}";
            if (ranked.Count > 1)
            {
                line += "; then " + string.Join(", ", ranked.Skip(1).Select(s =>
                    $"{s.Strategy} {F(s.WallMedianSeconds / winner.WallMedianSeconds, 1)}× as long"));
            }
            lines.Add(line + ".");
            foreach (var lossy in list.Strategies.Except(ranked).OrderBy(s => s.WallMedianSeconds))
            {
                lines.Add($"  {lossy.Strategy} ({Setting(lossy)}) ended in {F(lossy.WallMedianSeconds, 3)} s but fetched {lossy.Ok} URLs where others fetched {winner.Ok}: " +
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
        lines.AddRange(Advice(main, processorCount));
        return lines;
    }

    /// <summary>The closing advice for the main list: the measured setting to use, and what bounds it.</summary>
    private static IEnumerable<string> Advice(ListFigures main, int processorCount)
    {
        var candidates = main.Strategies.Concat(main.Tuning ?? []).Distinct().ToList();
        int mostOk = candidates.Max(s => s.Ok);
        var best = Fastest(candidates)!;
        string advice = IsAuto(best)
            ? $"Recommendation for this workload ({main.Name}, {main.Urls} URLs): async with --concurrency auto (the fetch default; it went up to {best.InFlight} in flight)"
            : $"Recommendation for this workload ({main.Name}, {main.Urls} URLs): {best.Strategy} at concurrency {best.Concurrency}";
        if (main.Tuning is { Count: > 1 } tuning && tuning.Contains(best))
        {
            string measured = string.Join(", ", tuning.Select(t =>
                $"{t.Concurrency} → {F(t.WallMedianSeconds, 3)} s" + (t.Ok < mostOk ? $" with {mostOk - t.Ok} URLs lost" : "")));
            advice += $", the fastest of the settings measured ({best.Strategy} at {measured})";
            var complete = tuning.Where(t => t.Ok == mostOk).ToList();
            if (best == tuning[^1] && best.InFlight >= main.Urls)
                advice += "; it already has the whole list in flight at once";
            else if (best == tuning[^1])
                advice += $"; the widest was fastest, so a wider one may be faster still (try --concurrency {best.Concurrency * 2})";
            else if (best == tuning[0] && complete.Count > 1)
                advice += "; the narrowest was fastest: more width only added contention";
        }
        if (best.WallOverLimit is { } r) advice += $"; it finishes at {F(r, 2)}× the limit";
        yield return advice + ".";

        // Auto against the best fixed width of the same race, whichever won: that distance is what the default costs or saves.
        if (candidates.FirstOrDefault(IsAuto) is { } auto && Fastest(candidates.Where(c => !IsAuto(c))) is { } bestFixed)
        {
            string lost = auto.Ok < bestFixed.Ok ? $", and fetched {bestFixed.Ok - auto.Ok} fewer URLs" : "";
            yield return $"  async with --concurrency auto took {F(auto.WallMedianSeconds, 3)} s (peak width {auto.InFlight}, final {auto.Concurrency}): " +
                $"{F(auto.WallMedianSeconds / bestFixed.WallMedianSeconds, 2)}× the best fixed setting, {bestFixed.Strategy} at concurrency {bestFixed.Concurrency} ({F(bestFixed.WallMedianSeconds, 3)} s){lost}.";
        }

        if (best.CpuSeconds is { } client && best.SimCpuSeconds is { } sim && processorCount > 0 && best.WallMedianSeconds > 0)
        {
            // Utilisation of the whole machine over the run: when it is near full, CPU (TLS
            // handshakes on both sides) and not the width bounds the wall time.
            double busy = (client + sim) / (best.WallMedianSeconds * processorCount);
            string load = $"  Its runs kept the {processorCount} cores {F(100 * Math.Min(busy, 1), 0)}% busy ({F(client, 2)} s of client CPU and {F(sim, 2)} s of the sim's in {F(best.WallMedianSeconds, 3)} s)";
            bool lostToLoad = main.Tuning?.Any(t => t.Ok < mostOk && t.Concurrency > best.Concurrency) == true;
            yield return busy >= CpuBound
                ? load + ": the cores, not the width, bound it here" + (lostToLoad ? ", and wider settings lose URLs to the timeout while their handshakes queue for CPU." : ".")
                : load + ": the cores had room, so the waiting in the list, not the CPU, bounds it.";
        }

        var equals = candidates.Where(s => s != best && s.Ok == mostOk && s.Strategy != best.Strategy && s.WallMedianSeconds <= best.WallMedianSeconds * (1 + Tie)).ToList();
        foreach (var other in equals.Where(s => s.PeakMemoryBytes < best.PeakMemoryBytes || s.CpuSeconds < best.CpuSeconds))
        {
            yield return $"  {other.Strategy} is as fast within {Tie:P0} ({F(other.WallMedianSeconds, 3)} s) with {Mb(other.PeakMemoryBytes)} peak memory and {F(other.CpuSeconds ?? 0, 2)} s CPU " +
                $"against {Mb(best.PeakMemoryBytes)} and {F(best.CpuSeconds ?? 0, 2)} s: an equal choice where those matter.";
        }
    }

    /// <summary>The fastest of the runs that fetched as many URLs as the best of them; null for none.</summary>
    internal static StrategyFigures? Fastest(IEnumerable<StrategyFigures> rows)
    {
        var all = rows.ToList();
        return all.Count == 0 ? null : Complete(all).MinBy(s => s.WallMedianSeconds);
    }

    /// <summary>The strategies that fetched as many URLs as the best of them: only these are compared on time.</summary>
    private static IEnumerable<StrategyFigures> Complete(IReadOnlyCollection<StrategyFigures> rows)
    {
        int mostOk = rows.Max(s => s.Ok);
        return rows.Where(s => s.Ok == mostOk);
    }

    internal static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0):0} MiB";

    private static string F(double value, int digits) => value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
