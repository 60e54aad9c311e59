using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Quiver.Cli.Race;
using Quiver.Strategies;

namespace Quiver.Cli.Commands;

/// <summary><c>quiver race</c>: every strategy on the same lists against the simulated web (or the live one), with the limit beside each figure.</summary>
internal static class RaceCommand
{
    public static Command Create()
    {
        var sim = new SimOptionSet(RaceSettings.DefaultTimeScale);
        // The default is written in the description: help would show an array default as "top10|top500",
        // which is not how it is typed.
        var lists = new Option<string[]>("--list")
        {
            Description = $"top10, top500 or a file of URLs (repeatable or comma separated) [default: {string.Join(',', DefaultLists)}]",
            AllowMultipleArgumentsPerToken = true,
        };
        var strategies = new Option<string>("--strategies")
        {
            Description = "Comma-separated strategies to race",
            DefaultValueFactory = _ => string.Join(',', Enum.GetValues<StrategyKind>().Select(StrategyOptions.NameOf)),
        };
        var repeat = new Option<int>("--repeat")
        {
            Description = "Runs per strategy and list (the table shows the median and the range)",
            DefaultValueFactory = _ => RaceSettings.DefaultRepeat,
        };
        var concurrency = new Option<int?>("--concurrency", "-c")
        {
            Description = "Concurrency for every strategy (default: each strategy's own default)",
        };
        var output = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Where race.md, race.json and race.png are written",
            DefaultValueFactory = _ => new DirectoryInfo("race-results"),
        };
        var live = new Option<bool>("--live")
        {
            Description = "Race the real internet instead of the simulated web (no limit column)",
        };
        var noTune = new Option<bool>("--no-tune")
        {
            Description = "Skip the tuning runs (the fastest strategy again at half and twice its concurrency)",
        };
        var command = new Command("race", "Run every strategy on the same URL lists and compare them with the theoretical limit")
        {
            lists, strategies, repeat, concurrency, output, live, noTune,
        };
        sim.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var kinds = new List<StrategyKind>();
            foreach (string name in (parse.GetValue(strategies) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!StrategyOptions.TryParseKind(name, out var kind)) throw new UsageException($"unknown strategy '{name}'");
                if (!kinds.Contains(kind)) kinds.Add(kind);
            }
            if (kinds.Count == 0) throw new UsageException("--strategies names no strategy");
            // Every flag is checked before the header, the sim or the output folder: a usage error does no work.
            string[] given = parse.GetValue(lists) is { Length: > 0 } named ? named : DefaultLists;
            var listNames = given.SelectMany(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            if (listNames.Count == 0) throw new UsageException("--list names no list");
            foreach (string list in listNames.Where(l => !IsBuiltInList(l)))
                PathChecks.RequireListFile(list, url => $"--list wants top10, top500 or a file of URLs, not a URL: put {url} in a file");
            PathChecks.RequireFolder("--out", parse.GetValue(output)!.FullName);
            if (parse.GetValue(repeat) < 1) throw new UsageException("--repeat must be at least 1");
            if (parse.GetValue(concurrency) is < 1) throw new UsageException("--concurrency must be at least 1");

            var settings = new RaceSettings
            {
                Lists = listNames,
                Strategies = kinds,
                Repeat = parse.GetValue(repeat),
                Sim = sim.Read(parse, SimWeb.SimWebOptions.DefaultAddress),
                Live = parse.GetValue(live),
                Concurrency = parse.GetValue(concurrency),
                Tune = !parse.GetValue(noTune),
                OutDirectory = parse.GetValue(output)!.FullName,
            };
            string what = settings.Live ? "the live internet" : $"the simulated web (seed {settings.Sim.Seed}, time scale {settings.Sim.TimeScale.ToString("0.###", CultureInfo.InvariantCulture)})";
            Console.Out.WriteLine($"quiver race: {string.Join(", ", kinds.Select(StrategyOptions.NameOf))} on {string.Join(" and ", listNames)} against {what}; " +
                $"{settings.Repeat} runs each; client timeout {settings.ClientTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");
            Console.Out.Flush();

            var runner = new RaceRunner(settings, QuiverLauncher.CurrentExecutable(), line => Console.Error.WriteLine($"race: {line}"));
            string invocation = string.Join(' ', ["quiver", .. parse.Tokens.Select(t => t.Value)]);
            var report = await runner.RunAsync(invocation, cancellationToken);

            string outDir = settings.OutDirectory;
            await File.WriteAllTextAsync(Path.Combine(outDir, "race.json"), JsonSerializer.Serialize(report, RaceJsonContext.Default.RaceReport), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(outDir, "race.md"), RaceMarkdown.Render(report, withChart: true), cancellationToken);
            RaceChart.Save(report, Path.Combine(outDir, "race.png"));

            Console.Out.WriteLine();
            Console.Out.Write(RaceMarkdown.Render(report, withChart: false));
            Console.Out.WriteLine();
            Console.Out.WriteLine($"quiver race: wrote race.md, race.json and race.png to {outDir}");
            return CliHost.Ok;
        });
        return command;
    }

    private static readonly string[] DefaultLists = ["top10", "top500"];

    private static bool IsBuiltInList(string name) => name.ToLowerInvariant() is "top10" or "top500";
}
