namespace Quiver.Running;

/// <summary>
/// The loop every run that writes as results finish is built on (a list fetch, a resumable fetch, a
/// crawl's committer): take each finished item as it comes, write it (not yet durable), and make what
/// was written durable when nothing else is ready (<see cref="DurableWhenIdle"/>), when a batch is
/// full, and at the end.
/// </summary>
internal static class DurableLoop
{
    /// <summary>Drains <paramref name="finished"/> to its end.</summary>
    /// <param name="finished">The items, in the order they finish; enumerated without a token, since the source sees the stop itself.</param>
    /// <param name="write">Writes one item; false when it wrote nothing (the item is skipped).</param>
    /// <param name="makeDurable">Flushes, or commits, what was written.</param>
    /// <param name="maxBatch">Most writes between two commits; null for no limit.</param>
    /// <param name="time">The clock of the floor between idle commits.</param>
    public static async Task RunAsync<T>(
        IAsyncEnumerable<T> finished, Func<T, ValueTask<bool>> write, Func<ValueTask> makeDurable, int? maxBatch, TimeProvider? time = null)
    {
        int batch = 0;
        var durable = new DurableWhenIdle(async () =>
        {
            await makeDurable().ConfigureAwait(false);
            batch = 0;
        }, time);
        await using var enumerator = finished.GetAsyncEnumerator(CancellationToken.None);
        while (await durable.WaitAsync(enumerator.MoveNextAsync()).ConfigureAwait(false))
        {
            if (!await write(enumerator.Current).ConfigureAwait(false)) continue;
            batch++;
            durable.Wrote();
            if (batch >= maxBatch) await durable.NowAsync().ConfigureAwait(false);
        }
        if (batch > 0) await durable.NowAsync().ConfigureAwait(false);
    }
}
