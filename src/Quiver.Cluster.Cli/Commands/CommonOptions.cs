using System.CommandLine;
using System.Globalization;
using Orleans.Configuration;
using Quiver.Fetching;

namespace Quiver.Cluster.Cli.Commands;

/// <summary>Options several commands share, defined once.</summary>
internal static class CommonOptions
{
    /// <summary>The one Orleans cluster a database holds: its silos and clients all use these ids.</summary>
    public const string ClusterId = "quiver";

    public static Option<string> Database(string name = "--db") =>
        new(name) { Description = "PostgreSQL connection string (Npgsql), e.g. 'Host=127.0.0.1;Port=5432;Username=postgres;Database=quiver'", Required = true };

    public static Option<string[]> Resolve() =>
        new("--resolve") { Description = "host:port:address, as curl's --resolve (repeatable)" };

    public static void Ids(ClusterOptions options)
    {
        options.ClusterId = ClusterId;
        options.ServiceId = ClusterId;
    }

    public static IReadOnlyList<ResolveEntry> ParseResolve(string[]? entries) =>
        [.. (entries ?? []).Select(entry =>
        {
            string[] parts = entry.Split(':');
            if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int port))
                throw new ArgumentException($"--resolve wants host:port:address, not {entry}");
            return new ResolveEntry(parts[0], port, parts[2]);
        })];

    public static TimeSpan Seconds(double seconds, string option) =>
        seconds >= 0 && double.IsFinite(seconds) ? TimeSpan.FromSeconds(seconds) : throw new ArgumentException($"{option} must be 0 or more seconds");
}
