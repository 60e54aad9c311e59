namespace Quiver.SimWeb;

/// <summary>
/// The theoretical bounds of fetching one list against the sim with a given client timeout.
/// </summary>
/// <param name="Limit">The critical path: the least possible wall time with unlimited concurrency (the slowest URL).</param>
/// <param name="TotalWork">The sequential sum: what one request at a time must take at least.</param>
/// <param name="Slowest">The URL that sets the limit.</param>
/// <param name="Urls">Each URL's least time, in list order.</param>
public sealed record RaceLimit(TimeSpan Limit, TimeSpan TotalWork, UrlCost? Slowest, IReadOnlyList<UrlCost> Urls)
{
    /// <summary>Least number of requests in flight on average to finish within the limit (total work ÷ limit).</summary>
    public double ConcurrencyNeeded => Limit > TimeSpan.Zero ? TotalWork / Limit : 0;
}
