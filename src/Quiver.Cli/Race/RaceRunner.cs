using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Quiver.Input;
using Quiver.SimWeb;
using Quiver.Strategies;

namespace Quiver.Cli.Race;

/// <summary>
/// The race: starts the sim in its own process, then runs every strategy on every list with the
/// same client settings, each run in a fresh process, repeats interleaved so that drift in the
/// machine's load touches every strategy alike. Computes each list's limit from the same profiles.
/// Then it runs the fastest strategy on the main list again at half and twice its concurrency, so
/// that the concurrency it recommends is one it measured.
/// </summary>
internal sealed class RaceRunner(RaceSettings settings, QuiverLauncher launcher, Action<string> log)
{
    public async Task<RaceReport> RunAsync(string command, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        long clock = Stopwatch.GetTimestamp();
        string outDir = Directory.CreateDirectory(settings.OutDirectory).FullName;
        string listDir = Directory.CreateDirectory(Path.Combine(outDir, "lists")).FullName;
        string resultDir = Directory.CreateDirectory(Path.Combine(outDir, "results")).FullName;

        SimWorld? world = null;
        SimProcess? sim = null;
        var http = new List<string>
        {
            "--timeout", settings.ClientTimeout.TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
            "--connect-timeout", settings.ClientTimeout.TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
        };
        if (!settings.Live)
        {
            var options = (settings.Sim with { Address = SimProcess.RandomLoopbackAddress() }).Validate();
            world = SimWorld.FromTopSites(options);
            log($"starting the sim on {options.Address} (seed {options.Seed}, time scale {options.TimeScale:0.###})");
            sim = await SimProcess.StartAsync(launcher, options, Path.Combine(outDir, "sim"), cancellationToken).ConfigureAwait(false);
            http.AddRange(["--resolve-file", sim.Files.ResolveFile, "--ca-cert", sim.Files.CaCertificate]);
        }

        try
        {
            var context = new RunContext(http, world, sim, resultDir);
            var lists = new List<ListFigures>();
            var listFiles = new List<string>();
            foreach (string list in settings.Lists)
            {
                var (figures, listFile) = await RaceListAsync(list, context, listDir, cancellationToken).ConfigureAwait(false);
                lists.Add(figures);
                listFiles.Add(listFile);
            }

            if (settings.Tune && lists.Count > 0)
            {
                int main = lists.IndexOf(lists.MaxBy(l => l.Urls)!);
                var tuning = await TuneAsync(lists[main], listFiles[main], context, cancellationToken).ConfigureAwait(false);
                if (tuning is not null) lists[main] = lists[main] with { Tuning = tuning };
            }

            var conditions = new RaceConditions(
                settings.Live, settings.Sim.Seed, settings.Live ? 1 : settings.Sim.TimeScale, settings.Repeat, settings.ClientTimeout.TotalSeconds,
                Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, command);
            return new RaceReport(started, Math.Round(Stopwatch.GetElapsedTime(clock).TotalSeconds, 1), conditions, lists, RaceRecommendation.For(lists, Environment.ProcessorCount));
        }
        finally
        {
            if (sim is not null) await sim.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>What every strategy run of one race shares: the client flags, the sim (if any) and where results go.</summary>
    private sealed record RunContext(IReadOnlyList<string> Http, SimWorld? World, SimProcess? Sim, string ResultDirectory);

    /// <summary>A row of the race: a strategy at its fixed width, or async with <c>--concurrency auto</c>.</summary>
    private sealed record Entry(StrategyKind Kind, bool Auto)
    {
        public string Name => Auto ? RaceRecommendation.AutoName : StrategyOptions.NameOf(Kind);
    }

    /// <summary>One strategy run in a process of its own, its results kept as <paramref name="resultName"/>.jsonl.</summary>
    private Task<RunFigures> RunOnceAsync(RunContext context, StrategyKind strategy, int? concurrency, string listFile, string resultName, bool counted, CancellationToken cancellationToken, bool auto = false) =>
        StrategyRun.RunAsync(
            launcher, strategy, concurrency, listFile, Path.Combine(context.ResultDirectory, resultName + ".jsonl"), context.Http, context.World?.WarmUpUrl,
            counted && context.Sim is { } sim ? sim.CpuSeconds : null, cancellationToken, auto);

    private async Task<(ListFigures Figures, string ListFile)> RaceListAsync(string list, RunContext context, string listDir, CancellationToken cancellationToken)
    {
        var world = context.World;
        var (name, urls) = LoadList(list, world);
        string listFile = Path.Combine(listDir, name + ".txt");
        await File.WriteAllLinesAsync(listFile, urls, cancellationToken).ConfigureAwait(false);

        RaceLimit? limit = null;
        if (world is not null)
        {
            var valid = urls.Select((line, i) => UrlRequest.FromLine(i + 1, line).Uri).OfType<Uri>();
            limit = CriticalPath.Compute(world, valid, settings.ClientTimeout);
            log($"{name}: {urls.Count} URLs; limit {limit.Limit.TotalSeconds:0.000} s (slowest: {limit.Slowest?.Url}), total work {limit.TotalWork.TotalSeconds:0.00} s");
        }

        // One uncounted async run first: the sim issues its certificates and warms up once, not in the first strategy's time.
        await RunOnceAsync(context, StrategyKind.Async, settings.Concurrency, listFile, $"{name}-warmup", counted: false, cancellationToken).ConfigureAwait(false);

        // Beside the fixed widths, async once more with --concurrency auto: the table shows how far the
        // adaptive width lands from the best fixed one in the same race.
        var entries = settings.Strategies.Select(s => new Entry(s, false)).ToList();
        if (settings.Auto && settings.Strategies.Contains(StrategyKind.Async)) entries.Add(new Entry(StrategyKind.Async, true));
        var runs = entries.ToDictionary(e => e, _ => new List<RunFigures>());
        for (int repeat = 1; repeat <= settings.Repeat; repeat++)
        {
            // Rotate the order each repeat so that no strategy always runs first or last.
            var order = entries.Skip((repeat - 1) % entries.Count).Concat(entries.Take((repeat - 1) % entries.Count));
            foreach (var entry in order)
            {
                string wire = entry.Name;
                var figures = await RunOnceAsync(context, entry.Kind, settings.Concurrency, listFile, $"{name}-{wire.Replace(' ', '-')}-{repeat}", counted: true, cancellationToken, entry.Auto).ConfigureAwait(false);
                runs[entry].Add(figures);
                log($"{name} run {repeat}/{settings.Repeat}: {wire,-15} {figures.WallSeconds,8:0.000} s  ({figures.Ok} ok, {figures.Failed} failed)");
            }
        }

        double? limitSeconds = limit?.Limit.TotalSeconds;
        var rows = entries.Select(e => Summarise(e.Name, runs[e], urls.Count, limitSeconds)).ToList();
        var listFigures = new ListFigures(
            name, urls.Count, Round(limitSeconds, 4), Round(limit?.TotalWork.TotalSeconds, 3), limit?.Slowest?.Url.AbsoluteUri,
            Round(limit?.ConcurrencyNeeded, 1), rows);
        return (listFigures, listFile);
    }

    /// <summary>
    /// The fastest complete strategy again at half and at twice the concurrency it raced with, the
    /// repeats interleaved as in the race; null when it has no concurrency to tune (sequential).
    /// </summary>
    private async Task<IReadOnlyList<StrategyFigures>?> TuneAsync(ListFigures list, string listFile, RunContext context, CancellationToken cancellationToken)
    {
        if (RaceRecommendation.Fastest(list.Strategies.Where(s => !RaceRecommendation.IsAuto(s))) is not { } fastest
            || !StrategyOptions.TryParseKind(fastest.Strategy, out var kind) || kind == StrategyKind.Sequential)
            return null;
        int[] widths = [.. new[] { Math.Max(1, fastest.Concurrency / 2), fastest.Concurrency * 2 }.Where(w => w != fastest.Concurrency).Distinct()];
        var runs = widths.ToDictionary(w => w, _ => new List<RunFigures>());
        for (int repeat = 1; repeat <= settings.Repeat; repeat++)
        {
            foreach (int width in repeat % 2 == 1 ? widths : widths.Reverse())
            {
                var figures = await RunOnceAsync(context, kind, width, listFile, $"{list.Name}-{fastest.Strategy}-c{width}-{repeat}", counted: true, cancellationToken).ConfigureAwait(false);
                runs[width].Add(figures);
                log($"{list.Name} tuning {repeat}/{settings.Repeat}: {fastest.Strategy} at concurrency {width,-5} {figures.WallSeconds,8:0.000} s  ({figures.Ok} ok, {figures.Failed} failed)");
            }
        }
        return [.. widths.Select(w => Summarise(fastest.Strategy, runs[w], list.Urls, list.LimitSeconds)).Append(fastest).OrderBy(s => s.Concurrency)];
    }

    private (string Name, IReadOnlyList<string> Urls) LoadList(string list, SimWorld? world)
    {
        int? top = list.ToLowerInvariant() switch { "top10" => 10, "top500" => 500, _ => null };
        if (top is { } count)
        {
            IReadOnlyList<string> urls = world is not null
                ? [.. world.TopUrls(count).Select(u => u.AbsoluteUri)]
                : [.. TopSite.Top(count).Select(s => $"http://{s.Host}/")];
            return (list.ToLowerInvariant(), urls);
        }
        if (!File.Exists(list)) throw new UsageException($"--list wants top10, top500 or a file of URLs; no such file: {list}");
        var lines = UrlListReader.Lines(list).ToList();
        return (Path.GetFileNameWithoutExtension(list), lines);
    }

    private static StrategyFigures Summarise(string strategy, List<RunFigures> runs, int urls, double? limit)
    {
        var byWall = runs.OrderBy(r => r.WallSeconds).ToList();
        var median = byWall[(byWall.Count - 1) / 2];
        double medianWall = byWall.Count % 2 == 1 ? median.WallSeconds : (median.WallSeconds + byWall[byWall.Count / 2].WallSeconds) / 2;
        return new StrategyFigures(
            strategy,
            median.Concurrency,
            median.InFlight,
            Math.Round(medianWall, 4),
            Math.Round(byWall[0].WallSeconds, 4),
            Math.Round(byWall[^1].WallSeconds, 4),
            median.Ok,
            median.Failed,
            Math.Round(urls / Math.Max(medianWall, 1e-9), 1),
            Round(MedianOf(runs.Select(r => r.LatencyP50Ms)), 1),
            Round(MedianOf(runs.Select(r => r.LatencyP95Ms)), 1),
            limit is > 0 ? Math.Round(medianWall / limit.Value, 2) : null,
            runs.Max(r => r.PeakMemoryBytes),
            Round(MedianOf(runs.Select(r => r.CpuSeconds)), 2),
            runs,
            Round(MedianOf(runs.Select(r => r.SimCpuSeconds)), 2));
    }

    private static double? MedianOf(IEnumerable<double?> values)
    {
        var known = values.OfType<double>().Order().ToArray();
        if (known.Length == 0) return null;
        return known.Length % 2 == 1 ? known[known.Length / 2] : (known[known.Length / 2 - 1] + known[known.Length / 2]) / 2;
    }

    private static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits) : null;
}
