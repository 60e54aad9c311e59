using ScottPlot;

namespace Quiver.Cli.Race;

/// <summary>
/// race.png: one panel per list, a bar per strategy (median wall, whiskers min–max), then a paler
/// bar per tuning run of the fastest strategy at another concurrency, and the limit as a line.
/// </summary>
internal static class RaceChart
{
    public static void Save(RaceReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        var multiplot = new Multiplot();
        bool first = true;
        foreach (var list in report.Lists)
        {
            var plot = new Plot();
            var palette = new ScottPlot.Palettes.Category10();
            var ticks = new List<Tick>();
            bool Tuned(StrategyFigures s) => list.Tuning?.Any(t => t.Strategy == s.Strategy) == true;
            var entries = list.Strategies.Select((s, i) => (Figures: s, Color: palette.GetColor(i),
                Label: s.Strategy.Replace("-", "-\n", StringComparison.Ordinal) + (Tuned(s) ? $"\nc={s.Concurrency}" : ""))).ToList();
            foreach (var tuned in (list.Tuning ?? []).Where(t => !list.Strategies.Contains(t)))
            {
                int raced = list.Strategies.ToList().FindIndex(s => s.Strategy == tuned.Strategy);
                entries.Add((tuned, palette.GetColor(Math.Max(raced, 0)).WithAlpha(0.45), $"{tuned.Strategy}\nc={tuned.Concurrency}"));
            }
            for (int i = 0; i < entries.Count; i++)
            {
                var (s, color, label) = entries[i];
                var bar = new Bar
                {
                    Position = i,
                    Value = s.WallMedianSeconds,
                    ValueBase = 0,
                    Error = 0,
                    FillColor = color,
                    Label = s.WallMedianSeconds.ToString(s.WallMedianSeconds < 10 ? "0.00 s" : "0.0 s", System.Globalization.CultureInfo.InvariantCulture),
                };
                var bars = plot.Add.Bars(new[] { bar });
                bars.ValueLabelStyle.FontSize = 13;
                // Whiskers for the range of the repeats.
                var range = plot.Add.Line(i, s.WallMinSeconds, i, s.WallMaxSeconds);
                range.LineWidth = 2;
                range.Color = Colors.Black;
                ticks.Add(new Tick(i, label));
            }
            if (list.LimitSeconds is { } limit)
            {
                var line = plot.Add.HorizontalLine(limit);
                line.LineWidth = 2;
                line.LinePattern = LinePattern.Dashed;
                line.Color = Colors.Red;
                line.LegendText = $"limit {limit:0.000} s";
            }
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
            plot.Axes.Bottom.MajorTickStyle.Length = 0;
            plot.Axes.Margins(bottom: 0, top: 0.15);
            plot.Title($"{list.Name} ({list.Urls} URLs)");
            plot.YLabel("wall time (s), median of repeats");
            if (list.LimitSeconds is not null) plot.ShowLegend(Alignment.UpperRight);
            // A new multiplot holds one empty plot: the first list takes its place.
            if (first) multiplot.Reset(plot);
            else multiplot.AddPlot(plot);
            first = false;
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        int barCount = report.Lists.Sum(l => l.Strategies.Count + (l.Tuning?.Count(t => !l.Strategies.Contains(t)) ?? 0));
        multiplot.SavePng(path, Math.Max(560 * Math.Max(1, report.Lists.Count), 110 * barCount), 480);
    }
}
