using System.Diagnostics;
using Polly;
using Polly.Retry;
using Quiver.Fetching;

namespace Quiver.Resilience;

/// <summary>
/// Polly's retry strategy shaped for fetch results: exponential backoff with jitter for the kinds
/// worth another try, a server's Retry-After in place of the computed backoff when it sent one.
/// The attempt callback is the whole attempt, so a caller that takes a concurrency slot inside it
/// never holds that slot while a retry waits.
/// </summary>
public sealed class FetchRetryPipeline
{
    private readonly ResiliencePipeline<FetchResult> _pipeline;

    public FetchRetryPipeline(RetryOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        var builder = new ResiliencePipelineBuilder<FetchResult> { TimeProvider = timeProvider ?? TimeProvider.System };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<FetchResult>
            {
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is { } result && IsRetryable(result)),
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Result?.RetryAfter is { } wait ? (TimeSpan?)Min(wait, options.MaxRetryAfter) : null),
            });
        }
        _pipeline = builder.Build();
    }

    public RetryOptions Options { get; }

    /// <summary>
    /// Runs <paramref name="attempt"/> until it returns a result not worth retrying or the attempts run
    /// out; the returned result carries the number of attempts made.
    /// </summary>
    public async ValueTask<FetchResult> ExecuteAsync(Func<CancellationToken, ValueTask<FetchResult>> attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        int attempts = 0;
        long firstStarted = 0;
        var result = await _pipeline.ExecuteAsync(async token =>
        {
            var tried = await attempt(token).ConfigureAwait(false);
            if (++attempts == 1) firstStarted = StartOf(tried);
            return tried;
        }, cancellationToken).ConfigureAwait(false);
        return Finish(result, attempts, firstStarted);
    }

    /// <summary>
    /// The blocking form of <see cref="ExecuteAsync"/>, for the threads strategy: the attempts run on
    /// the calling thread and the backoff between them blocks it, as a blocking client's would.
    /// </summary>
    public FetchResult Execute(Func<CancellationToken, FetchResult> attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        int attempts = 0;
        long firstStarted = 0;
        var result = _pipeline.Execute(token =>
        {
            var tried = attempt(token);
            if (++attempts == 1) firstStarted = StartOf(tried);
            return tried;
        }, cancellationToken);
        return Finish(result, attempts, firstStarted);
    }

    /// <summary>
    /// When a try began, from its own measured total: the attempt callback may first wait for a slot or a
    /// host's turn (the crawl), which is queueing, not fetching, so its start cannot be taken before the call.
    /// </summary>
    private static long StartOf(FetchResult tried) =>
        Stopwatch.GetTimestamp() - (long)(tried.Timings.TotalMs * Stopwatch.Frequency / 1000);

    /// <summary>
    /// Records the attempts, and makes a retried URL's total span its first try's start to its last try's
    /// end, backoffs included (the README's <c>timings.totalMs</c>); the other timings stay the last try's.
    /// </summary>
    private static FetchResult Finish(FetchResult result, int attempts, long firstStarted)
    {
        result.Attempts = attempts;
        if (attempts > 1)
            result.Timings.TotalMs = Math.Round(Stopwatch.GetElapsedTime(firstStarted).TotalMilliseconds, 3);
        return result;
    }

    /// <summary>Timeouts, resets, refused or timed-out connects, 5xx and 429: the failures a later try may not see.</summary>
    public static bool IsRetryable(FetchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Error switch
        {
            FetchErrorKind.Timeout or FetchErrorKind.ConnectTimeout or FetchErrorKind.ConnectionReset or FetchErrorKind.ConnectionRefused => true,
            null => result.Status is >= 500 or 429,
            _ => false,
        };
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
