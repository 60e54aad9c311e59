using Quiver.Fetching;

namespace Quiver.Strategies;

/// <summary>
/// The first line a parent writes to a worker's stdin: the fetch settings and how many URLs the
/// worker may fetch at once. Every later line is a <see cref="WorkerItem"/>; every stdout line of the
/// worker is a <see cref="FetchResult"/> in JSON.
/// </summary>
internal sealed record WorkerStartup(FetchOptions Fetch, int Concurrency);

/// <summary>One input line sent to a worker; the worker parses it exactly as the parent would.</summary>
internal sealed record WorkerItem(long Line, string Text);
