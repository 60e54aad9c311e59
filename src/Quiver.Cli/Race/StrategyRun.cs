using System.Globalization;
using Quiver.Fetching;
using Quiver.Output;
using Quiver.Strategies;

namespace Quiver.Cli.Race;

/// <summary>
/// Runs one strategy over one list in a <c>quiver race-run</c> process of its own: a cold client
/// every time, and memory and CPU that belong to that strategy alone (worker processes included).
/// </summary>
internal static class StrategyRun
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(50);

    public static async Task<RunFigures> RunAsync(
        QuiverLauncher launcher, StrategyKind strategy, int? concurrency, string listFile, string resultsFile,
        IEnumerable<string> httpArguments, Uri? warmUp, Func<double?>? simCpu, CancellationToken cancellationToken, bool auto = false)
    {
        var arguments = new List<string> { "race-run", listFile, "--strategy", StrategyOptions.NameOf(strategy), "--out", resultsFile };
        if (warmUp is not null) arguments.AddRange(["--warm-up", warmUp.AbsoluteUri]);
        if (auto) arguments.AddRange(["--concurrency", "auto"]);
        else if (concurrency is { } c) arguments.AddRange(["--concurrency", c.ToString(CultureInfo.InvariantCulture)]);
        arguments.AddRange(httpArguments);

        double? simBefore = simCpu?.Invoke();
        using var process = System.Diagnostics.Process.Start(launcher.StartInfo(arguments))
            ?? throw new InvalidOperationException("could not start a strategy run");
        process.StandardInput.Close();
        string stdout, stderr;
        await using (var monitor = ProcessTreeMonitor.Start(process.Id, SampleInterval))
        {
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                stdout = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            stderr = await errors.ConfigureAwait(false);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"the {StrategyOptions.NameOf(strategy)} run failed (exit {process.ExitCode}): {stderr.Trim()}");
            var summary = ParseSummary(stdout);
            monitor.Record(process.Id, summary.Peak);
            double? simAfter = simCpu?.Invoke();
            var results = ReadResults(resultsFile);
            var latencies = results.Where(r => r.Error is not (FetchErrorKind.InvalidUrl or FetchErrorKind.Cancelled))
                .Select(r => r.Timings.TotalMs).Order().ToArray();
            int failed = results.Count(r => r.Error is not null);
            return new RunFigures(
                summary.Wall,
                results.Count - failed,
                failed,
                results.Count / Math.Max(summary.Wall, 1e-9),
                Percentile(latencies, 50),
                Percentile(latencies, 95),
                monitor.PeakBytes,
                summary.Cpu is { } cpu ? Math.Round(cpu, 2) : null,
                summary.Concurrency,
                summary.InFlight,
                simBefore is { } simStart && simAfter is { } simEnd ? Math.Round(simEnd - simStart, 2) : null);
        }
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static double? Percentile(double[] sorted, double percentile)
    {
        if (sorted.Length == 0) return null;
        int rank = Math.Max(1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length));
        return sorted[rank - 1];
    }

    private static (double Wall, long Peak, int Concurrency, int InFlight, double? Cpu) ParseSummary(string stdout)
    {
        double wall = double.NaN;
        double? cpu = null;
        long peak = 0;
        int concurrency = 0, inFlight = 0;
        foreach (string part in stdout.Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            string[] pair = part.Split('=', 2);
            if (pair.Length != 2) continue;
            switch (pair[0])
            {
                case "wall": wall = double.Parse(pair[1], CultureInfo.InvariantCulture); break;
                case "peak": peak = long.Parse(pair[1], CultureInfo.InvariantCulture); break;
                case "concurrency": concurrency = int.Parse(pair[1], CultureInfo.InvariantCulture); break;
                case "inflight": inFlight = int.Parse(pair[1], CultureInfo.InvariantCulture); break;
                case "cpu": cpu = double.Parse(pair[1], CultureInfo.InvariantCulture); break;
            }
        }
        return double.IsNaN(wall) ? throw new InvalidOperationException($"a strategy run printed no wall time: '{stdout.Trim()}'") : (wall, peak, concurrency, inFlight, cpu);
    }

    private static List<FetchResult> ReadResults(string path)
    {
        var results = new List<FetchResult>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            results.Add(JsonLinesResultWriter.FromJson(line));
        }
        return results;
    }
}
