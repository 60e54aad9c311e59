using System.CommandLine;
using System.Globalization;
using Quiver.Concurrency;

namespace Quiver.Cli.Commands;

/// <summary>
/// <c>--concurrency N|auto</c> and <c>--max-concurrency</c>, as <c>fetch</c>, <c>crawl</c> and the
/// race's own runs read them: one definition, so "auto" means the same everywhere.
/// </summary>
internal sealed class ConcurrencyOptionSet
{
    public const string Auto = "auto";

    public ConcurrencyOptionSet(string description)
    {
        Concurrency = new("--concurrency", "-c") { Description = description };
    }

    public Option<string?> Concurrency { get; }

    public Option<int?> MaxConcurrency { get; } = new("--max-concurrency")
    {
        Description = $"Most requests in flight that --concurrency auto may reach (default {AdaptiveConcurrencyOptions.DefaultMaxWidth})",
    };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Concurrency);
        command.Options.Add(MaxConcurrency);
    }

    /// <summary>
    /// A fixed width (Adaptive null), or auto's options (Fixed null). <paramref name="autoByDefault"/>:
    /// auto when the flag is absent; otherwise an absent flag leaves both null (the model's default).
    /// </summary>
    public (int? Fixed, AdaptiveConcurrencyOptions? Adaptive) Read(ParseResult parse, bool autoByDefault)
    {
        ArgumentNullException.ThrowIfNull(parse);
        string? value = parse.GetValue(Concurrency);
        int? max = parse.GetValue(MaxConcurrency);
        bool auto = value is null ? autoByDefault : string.Equals(value, Auto, StringComparison.OrdinalIgnoreCase);
        if (!auto)
        {
            if (max is not null) throw new UsageException("--max-concurrency caps --concurrency auto; with a fixed --concurrency N it has nothing to cap");
            if (value is null) return (null, null);
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int width) || width < 1)
                throw new UsageException($"--concurrency wants a whole number, got '{value}' (or 'auto')");
            return (width, null);
        }
        var options = new AdaptiveConcurrencyOptions();
        if (max is { } cap)
        {
            if (cap < 1) throw new UsageException("--max-concurrency must be at least 1");
            options = options with { MaxWidth = cap };
        }
        return (null, options);
    }
}
