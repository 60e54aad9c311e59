using ScottPlot;

namespace Quiver.Cli.Race;

/// <summary>race.png: one panel per list, a bar per strategy (median wall, whiskers min–max), the limit as a line.</summary>
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
            for (int i = 0; i < list.Strategies.Count; i++)
            {
                var s = list.Strategies[i];
                var bar = new Bar
                {
                    Position = i,
                    Value = s.WallMedianSeconds,
                    ValueBase = 0,
                    Error = 0,
                    FillColor = palette.GetColor(i),
                    Label = s.WallMedianSeconds.ToString(s.WallMedianSeconds < 10 ? "0.00 s" : "0.0 s", System.Globalization.CultureInfo.InvariantCulture),
                };
                var bars = plot.Add.Bars(new[] { bar });
                bars.ValueLabelStyle.FontSize = 13;
                // Whiskers for the range of the repeats.
                var range = plot.Add.Line(i, s.WallMinSeconds, i, s.WallMaxSeconds);
                range.LineWidth = 2;
                range.Color = Colors.Black;
                ticks.Add(new Tick(i, s.Strategy.Replace("-", "-\n", StringComparison.Ordinal)));
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
        multiplot.SavePng(path, 560 * Math.Max(1, report.Lists.Count), 480);
    }
}
