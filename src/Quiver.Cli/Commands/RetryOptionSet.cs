using System.CommandLine;
using Quiver.Resilience;

namespace Quiver.Cli.Commands;

/// <summary>
/// The retry flags of every command that retries (<c>fetch</c>, <c>crawl</c>): one definition, so both
/// read, validate and cap them alike; maps them onto <see cref="RetryOptions"/>.
/// </summary>
internal sealed class RetryOptionSet
{
    private static readonly RetryOptions Defaults = new();

    // TimeSpan.FromSeconds overflows long before double does; an hour is past any sensible wait.
    private const double MostSeconds = 3600;

    /// <param name="defaultAttempts">Tries per URL when <c>--attempts</c> is not given.</param>
    public RetryOptionSet(int defaultAttempts)
    {
        Attempts = new("--attempts")
        {
            Description = $"Tries per URL for timeouts, resets, refused or timed-out connects, 5xx and 429{(defaultAttempts == 1 ? " (1 = no retry)" : "")}",
            DefaultValueFactory = _ => defaultAttempts,
        };
    }

    public Option<int> Attempts { get; }

    public Option<double> RetryDelay { get; } = new("--retry-delay")
    {
        Description = "First retry backoff in seconds (doubles each retry, with jitter; a Retry-After header wins)",
        DefaultValueFactory = _ => Defaults.BaseDelay.TotalSeconds,
    };

    public Option<double> MaxRetryAfter { get; } = new("--max-retry-after")
    {
        Description = "Longest Retry-After honoured, in seconds; a longer one is cut to this",
        DefaultValueFactory = _ => Defaults.MaxRetryAfter.TotalSeconds,
    };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Attempts);
        command.Options.Add(RetryDelay);
        command.Options.Add(MaxRetryAfter);
    }

    /// <summary>The validated retry policy the flags describe; a bad value is a usage error.</summary>
    public RetryOptions Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            return (Defaults with
            {
                MaxAttempts = parse.GetValue(Attempts),
                MaxRetryAfter = Seconds(parse, MaxRetryAfter),
            }).WithFirstDelay(Seconds(parse, RetryDelay)).Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static TimeSpan Seconds(ParseResult parse, Option<double> option)
    {
        double value = parse.GetValue(option);
        return double.IsFinite(value) && value is >= 0 and <= MostSeconds
            ? TimeSpan.FromSeconds(value)
            : throw new UsageException($"{option.Name} must be between 0 and {MostSeconds} seconds");
    }
}
